import Foundation
import StationTestSupport
import Testing
@testable import IPFS
import Multiformats

/// Sizes that exercise the layout's edges: empty, one byte, exactly one chunk, one chunk plus a byte,
/// 174 chunks plus a byte (forces a second tree level), and a few MiB of random bytes.
private let interopSizes = [0, 1, 262_144, 262_145, 174 * 262_144 + 1, 3 * 1_048_576 + 12_345]

@Suite("UnixFSImporter")
struct UnixFSImporterTests {
    private func cidOf(_ path: String, _ options: UnixFSImportOptions) async throws -> CID {
        try await UnixFSImporter(options: options).importPath(path) { _ in }.root
    }

    @Test func kuboDefaultsGiveTheSameCIDsAsKuboAndIpfsCid() async throws {
        let directory = try TemporaryDirectory("interop")
        var paths: [String] = []
        for (index, size) in interopSizes.enumerated() {
            paths.append(try directory.write(pseudoRandomBytes(count: size, seed: UInt64(index + 1)), to: "file-\(size).bin"))
        }
        let kubo = try ExternalTools.kuboCIDs(paths)
        for path in paths {
            let ours = try await cidOf(path, .kuboDefaults)
            #expect(ours.description == kubo[path], "kubo disagrees for \(path)")
            let debian = try ExternalTools.ipfsCID(path)
            #expect(ours.description == debian.v0, "ipfs_cid disagrees for \(path)")
        }
    }

    @Test func directoryCIDMatchesKubo() async throws {
        let directory = try TemporaryDirectory("interop-dir")
        let tree = directory.url.appendingPathComponent("tree").path
        try directory.write(Array("hello\n".utf8), to: "tree/a.txt")
        try directory.write(pseudoRandomBytes(count: 600_000, seed: 9), to: "tree/big.bin")
        try directory.write([], to: "tree/sub/empty")
        try directory.write(Array("nested".utf8), to: "tree/sub/deeper/n.txt")
        try directory.write(Array("Z".utf8), to: "tree/Zeta")
        try FileManager.default.createDirectory(atPath: tree + "/emptydir", withIntermediateDirectories: true)
        let kubo = try ExternalTools.kuboCIDs([tree])
        let ours = try await cidOf(tree, .kuboDefaults)
        #expect(ours.description == kubo[tree])
    }

    @Test func cidV1WithDagPBLeavesAgreesWithIpfsCidForOneChunk() async throws {
        let directory = try TemporaryDirectory("interop-v1")
        let path = try directory.write(pseudoRandomBytes(count: 1000, seed: 3), to: "small.bin")
        let ours = try await cidOf(path, UnixFSImportOptions(cidVersion: 1, rawLeaves: false))
        #expect(ours.description == (try ExternalTools.ipfsCID(path)).v1)
    }

    @Test func cidV1RawLeavesSingleChunkIsTheRawBlockCID() async throws {
        let bytes = pseudoRandomBytes(count: 5000, seed: 4)
        let directory = try TemporaryDirectory("raw")
        let path = try directory.write(bytes, to: "raw.bin")
        let ours = try await cidOf(path, .cidV1RawLeaves)
        #expect(ours == CID.v1(codec: .raw, multihash: Multihash.sha256(bytes)))
        #expect(ours.description.hasPrefix("bafkrei"))
        // kubo's well-known CID for an empty file with --cid-version=1 (raw leaves).
        let empty = try directory.write([], to: "empty")
        #expect(try await cidOf(empty, .cidV1RawLeaves).description == "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku")
    }

    @Test func cidV1RawLeavesLayoutHasRawLeavesUnderDagPBV1Nodes() async throws {
        let directory = try TemporaryDirectory("raw-layout")
        let bytes = pseudoRandomBytes(count: 175 * 1024 + 7, seed: 5)
        let path = try directory.write(bytes, to: "f.bin")
        var blocks: [Block] = []
        let result = try await UnixFSImporter(options: UnixFSImportOptions(chunkSize: 1024, cidVersion: 1))
            .importPath(path) { blocks.append($0) }
        #expect(result.root.version == .v1 && result.root.contentCodec == .dagPB)
        let leaves = blocks.filter { $0.cid.contentCodec == .raw }
        #expect(leaves.count == 176)
        #expect(leaves.allSatisfy { $0.cid.version == .v1 })
        // 176 leaves with 174 links per node: two interior nodes under a root.
        let root = try #require(blocks.last)
        #expect(root.cid == result.root)
        #expect(try DagPBNode(decoding: root.data).links.count == 2)
        #expect(result.fileSize == UInt64(bytes.count))
        #expect(result.dagSize == UInt64(blocks.reduce(0) { $0 + $1.data.count }))
    }

    @Test func importIntoStorePinsTheRootAndExportsTheSameBytes() async throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let bytes = pseudoRandomBytes(count: 700_000, seed: 6)
        let path = try directory.write(bytes, to: "in.bin")
        let result = try await UnixFSImporter().importPath(at: URL(fileURLWithPath: path), into: store, module: "m")
        #expect(store.pins(module: "m") == [result.root])
        #expect(try store.collectGarbage().removedBlocks == 0)
        #expect(store.usage(module: "m") == Int64(result.dagSize))
        #expect(try await readAll(UnixFSExporter(provider: store), result.root) == bytes)
    }

    @Test func quotaReachedMidImportLeavesNothingPinnedAndGCRestoresUsage() async throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory, quotas: ["m": 1_000_000])
        let keep = try await UnixFSImporter().importStream(ArrayByteSource(Array("keep me".utf8)), into: store, module: "m")
        let before = store.usage(module: "m")
        let stored = store.storedSize
        let big = pseudoRandomBytes(count: 3_000_000, seed: 7)
        await #expect(throws: IPFSError.self) {
            _ = try await UnixFSImporter().importStream(ArrayByteSource(big), into: store, module: "m")
        }
        #expect(store.pins(module: "m") == [keep.root])
        try store.collectGarbage()
        #expect(store.usage(module: "m") == before)
        #expect(store.storedSize == stored)
    }

    @Test func durableImportSurvivesReopeningWithItsPinAndBytes() async throws {
        let directory = try TemporaryDirectory()
        let bytes = pseudoRandomBytes(count: 600_000, seed: 8)
        let root: CID
        do {
            let store = try makeStore(directory, durable: true)
            root = try await UnixFSImporter().importStream(ArrayByteSource(bytes), into: store, module: "m").root
        }
        let reopened = try makeStore(directory)
        #expect(reopened.pins(module: "m") == [root])
        #expect(reopened.openReport == BlockStore.OpenReport())
        #expect(try await readAll(UnixFSExporter(provider: reopened), root) == bytes)
    }

    @Test func rejectsOutOfRangeOptions() {
        #expect(throws: IPFSError.self) { _ = try UnixFSImporter(options: UnixFSImportOptions(chunkSize: 0)) }
        #expect(throws: IPFSError.self) { _ = try UnixFSImporter(options: UnixFSImportOptions(cidVersion: 2)) }
        #expect(throws: IPFSError.self) { _ = try UnixFSImporter(options: UnixFSImportOptions(maxLinksPerNode: 1)) }
    }
}
