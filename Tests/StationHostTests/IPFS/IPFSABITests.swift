import Bitswap
import Foundation
import IPFS
import Libp2p
import Multiformats
import NIOPosix
import Sandbox
import StationHost
import Testing

/// A block store in a fresh temporary folder (fsync off: tests only).
func temporaryStore(quotas: [String: Int64] = [:]) throws -> (BlockStore, URL) {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("station-ipfs-\(UUID().uuidString)")
    let store = try BlockStore(.init(directory: folder, moduleQuotas: quotas, durable: false))
    return (store, folder)
}

/// Reads a handle to its end through the operation layer, polling while it would block, on a
/// thread of its own.
func readAll(_ operations: StationOperations, _ handle: Int32) async throws -> [UInt8] {
    try await onModuleThread { try readAllBlocking(operations, handle) }
}

func readAllBlocking(_ operations: StationOperations, _ handle: Int32) throws -> [UInt8] {
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64 << 10)
    while true {
        do {
            let count = try buffer.withUnsafeMutableBytes { try operations.read(handle: handle, into: $0) }
            if count == 0 { return received }
            received += buffer[0..<count]
        } catch let error as StationError where error.code == .wouldBlock {
            _ = try operations.poll([handle], timeout: .seconds(30))
        }
    }
}

func contentOperations(_ content: SharedContent, name: String = "m") -> StationOperations {
    var configuration = StationModuleConfiguration(identity: StationIdentity(moduleName: name))
    configuration.ipfs = true
    let events = CollectingEventSink()
    return StationOperations(configuration: configuration, events: events, jobs: JobLedger(sink: events), content: content)
}

/// Two loopback Bitswap nodes: a seed serving `seedStore` and a local node on `localStore`,
/// connected; ``content`` reads through the local node and knows the seed as its peer.
struct BitswapSeedPair {
    let seedHost: Libp2pHost
    let seedBitswap: Bitswap
    let localHost: Libp2pHost
    let localBitswap: Bitswap
    let content: SharedContent

    init(seedStore: BlockStore, localStore: BlockStore) async throws {
        seedHost = Libp2pHost(group: MultiThreadedEventLoopGroup.singleton)
        let seedAddress = try await seedHost.listen(on: try Multiaddr("/ip4/127.0.0.1/tcp/0"))
        seedBitswap = Bitswap(host: seedHost, store: seedStore)
        seedBitswap.start()
        localHost = Libp2pHost(group: MultiThreadedEventLoopGroup.singleton)
        localBitswap = Bitswap(host: localHost, store: localStore)
        localBitswap.start()
        _ = try await localHost.connect(to: seedAddress.encapsulate(.p2p(seedHost.peerID.multihash)))
        content = SharedContent(store: localStore, bitswap: localBitswap) { [seedHost] in [seedHost.peerID] }
    }

    /// Stops both nodes.
    func close() async {
        await localBitswap.stop()
        await seedBitswap.stop()
        await localHost.close()
        await seedHost.close()
    }
}

@Suite("station ABI: IPFS content in the shared block store", .serialized)
struct IPFSABITests {
    @Test("put then get returns the same bytes; the CID is the importer's (CIDv1, raw leaves)")
    func putGet() async throws {
        let (store, folder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let operations = contentOperations(SharedContent(store: store))
        defer { operations.close() }
        let bytes = (0..<700_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        // ipfs_put blocks its caller (the module's thread), so never on the cooperative pool.
        let cid = try await onModuleThread { try operations.ipfsPut(bytes) }
        let expected = try await UnixFSImporter(options: .cidV1RawLeaves).importFile(ArrayByteSource(bytes)) { _ in }.cid
        #expect(cid == expected.description)
        #expect(store.isPinned(try CID(cid), module: "m"))
        #expect(try await readAll(operations, try operations.ipfsGet(cid, format: .file, timeout: nil)) == bytes)

        // As a CAR: it verifies and holds exactly the DAG.
        let car = try await readAll(operations, try operations.ipfsGet(cid, format: .car, timeout: nil))
        let report = try await CARVerifier().verify(ArrayByteSource(car))
        #expect(report.roots == [try CID(cid)])
    }

    @Test("a CID nobody has fails with not-found; bad CIDs and paths are invalid")
    func missing() async throws {
        let (store, folder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let operations = contentOperations(SharedContent(store: store))
        defer { operations.close() }
        let absent = try await UnixFSImporter().importFile(ArrayByteSource(Array("not stored".utf8))) { _ in }.cid
        let handle = try operations.ipfsGet(absent.description, format: .file, timeout: .seconds(5))
        do {
            _ = try await readAll(operations, handle)
            Issue.record("reading a missing CID succeeded")
        } catch let error as StationError {
            #expect(error.code == .notFound, "\(error)")
        }
        #expect(throws: StationError.self) { try operations.ipfsGet("bafy-not-a-cid", format: .file, timeout: nil) }
        #expect(throws: StationError.self) { try operations.ipfsGet("\(absent)/../etc", format: .file, timeout: nil) }
    }

    @Test("a put over the module's quota fails with quota-exceeded and pins nothing")
    func quota() async throws {
        let (store, folder) = try temporaryStore(quotas: ["small": 10_000])
        defer { try? FileManager.default.removeItem(at: folder) }
        let operations = contentOperations(SharedContent(store: store), name: "small")
        defer { operations.close() }
        do {
            _ = try await onModuleThread { try operations.ipfsPut([UInt8](repeating: 7, count: 50_000)) }
            Issue.record("the put was not refused")
        } catch let error as StationError {
            #expect(error.code == .quotaExceeded, "\(error)")
        }
        #expect(store.pins(module: "small").isEmpty)
    }

    @Test("reading local content holds it in memory: garbage collection keeps it while the read lasts, and nothing is written (the read works while the pin index cannot be written)")
    func localReadHoldsInMemory() async throws {
        let (store, folder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let content = SharedContent(store: store)
        let publisher = contentOperations(content, name: "publisher")
        let reader = contentOperations(content, name: "reader")
        defer {
            publisher.close()
            reader.close()
        }
        // Larger than the handle's 1 MiB buffer, so the read is still going after its first chunk.
        let first = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ $0 >> 9) }
        let firstCID = try await onModuleThread { try publisher.ipfsPut(first) }

        // The publisher unpins and the garbage is collected after the reader's first chunk: only
        // the read's hold keeps the blocks, and it is not a pin.
        let handle = try reader.ipfsGet(firstCID, format: .file, timeout: .seconds(30))
        let received = try await onModuleThread { () throws -> [UInt8] in
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            while true {
                do {
                    let count = try buffer.withUnsafeMutableBytes { try reader.read(handle: handle, into: $0) }
                    if count == 0 { return received }
                    if received.isEmpty {
                        #expect(store.usage(module: "reader") > 0)
                        #expect(store.pins(module: "reader").isEmpty)
                        try publisher.ipfsUnpin(firstCID)
                        _ = try store.collectGarbage()
                    }
                    received += buffer[0..<count]
                } catch let error as StationError where error.code == .wouldBlock {
                    _ = try reader.poll([handle], timeout: .seconds(30))
                }
            }
        }
        #expect(received == first)
        try reader.close(handle: handle)
        for _ in 0..<500 where store.usage(module: "reader") > 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(store.usage(module: "reader") == 0)
        #expect(try store.collectGarbage().removedBlocks > 0)

        // Every later write of pins.json fails (a rename onto a non-empty directory fails even for
        // root, unlike a read-only mode), as on a read-only or full disk; a local read still works.
        let second = Array(first.reversed())
        let secondCID = try await onModuleThread { try publisher.ipfsPut(second) }
        let pinsFile = folder.appendingPathComponent("pins.json")
        try FileManager.default.removeItem(at: pinsFile)
        try FileManager.default.createDirectory(at: pinsFile, withIntermediateDirectories: false)
        try Data("x".utf8).write(to: pinsFile.appendingPathComponent("blocker"))
        #expect(throws: (any Error).self) { try store.pin(try CID(secondCID), module: "someone-else") }
        #expect(try await readAll(reader, try reader.ipfsGet(secondCID, format: .file, timeout: .seconds(30))) == second)
        let car = try await readAll(reader, try reader.ipfsGet(secondCID, format: .car, timeout: .seconds(30)))
        #expect(try await CARVerifier().verify(ArrayByteSource(car)).roots == [try CID(secondCID)])
    }

    @Test("content missing locally comes over Bitswap from a connected peer")
    func viaBitswap() async throws {
        let (seedStore, seedFolder) = try temporaryStore()
        let (localStore, localFolder) = try temporaryStore()
        defer {
            try? FileManager.default.removeItem(at: seedFolder)
            try? FileManager.default.removeItem(at: localFolder)
        }
        let bytes = (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let imported = try await UnixFSImporter().importStream(ArrayByteSource(bytes), into: seedStore, module: "seed")

        let peers = try await BitswapSeedPair(seedStore: seedStore, localStore: localStore)
        let operations = contentOperations(peers.content)
        let handle = try operations.ipfsGet(imported.root.description, format: .file, timeout: .seconds(30))
        #expect(try await readAll(operations, handle) == bytes)
        try operations.close(handle: handle)
        // The hold ended with the handle: the module did not pin it.
        #expect(!localStore.isPinned(imported.root, module: "m"))
        operations.close()
        await peers.close()
    }

    @Test("a module puts and gets content through the ABI", arguments: abiEngines)
    func throughTheABI(engine: EngineChoice) async throws {
        let (store, folder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let body = """
            (local.set $n (call $ipfs_put (i32.const 0) (i32.const 11) (i32.const 100) (i32.const 200)))
            (if (i32.lt_s (local.get $n) (i32.const 0)) (then (call $print_error) (return (local.get $n))))
            (local.set $h (call $ipfs_get (i32.const 100) (local.get $n) (i32.const 0) (i64.const 10000)))
            (if (i32.lt_s (local.get $h) (i32.const 0)) (then (call $print_error) (return (local.get $h))))
            \(readToEnd)
            (call $print (i32.const 5000) (local.get $total))
            (local.get $total)
            """
        let run = try await runStation(
            stationModule(body, data: #"(data (i32.const 0) "hello, ipfs")"#, locals: "(local $h i32) (local $n i32) (local $total i32)"),
            engine: engine, content: SharedContent(store: store)
        ) { config in
            config.ipfs = true
        }
        #expect(run.outcome.error == nil, "\(String(describing: run.outcome.error))")
        #expect(run.output == "hello, ipfs")
        #expect(run.result == 11)

        let denied = try await runStation(stationModule("(call $ipfs_put (i32.const 0) (i32.const 1) (i32.const 100) (i32.const 100))"), engine: engine)
        #expect(denied.result == StationErrorCode.denied.rawValue)
    }
}
