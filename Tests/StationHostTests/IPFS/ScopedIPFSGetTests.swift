import Bitswap
import Foundation
import IPFS
import IPFSGateway
import Multiformats
import StationHost
import Synchronization
import Testing

/// A file of `count` bytes cut into 4 KiB raw leaves under one dag-pb root (CIDv1).
private let smallChunks = UnixFSImportOptions(chunkSize: 4096, cidVersion: 1, rawLeaves: true)

/// Bytes in which no 4 KiB chunk repeats (up to 1 MiB), so every leaf is a distinct block.
private func sampleBytes(_ count: Int, seed: Int = 0) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: (($0 &+ seed) &* 2_654_435_761) >> 13 ^ ($0 >> 12)) }
}

/// The block CIDs of a CAR, in order, and its roots.
private func carContents(_ car: [UInt8]) async throws -> (roots: [CID], blocks: [CID]) {
    let reader = try await CARReader(source: ArrayByteSource(car), maxBlockSize: 2 << 20)
    var blocks: [CID] = []
    while let block = try await reader.next() { blocks.append(block.cid) }
    return (reader.header.roots, blocks)
}

/// What the project's trustless gateway answers for `target` from `store`.
private func gatewayAnswer(_ store: BlockStore, _ target: String) async throws -> [UInt8] {
    let response = await GatewayResponder(provider: store).respond(target: target)
    #expect(response.status == 200, "\(response.message ?? "")")
    var bytes: [UInt8] = []
    try await response.body?({ bytes += $0 })
    return bytes
}

/// The links of a stored dag-pb node.
private func links(of cid: CID, in store: BlockStore) throws -> [CID] {
    guard let block = try store.get(cid) else { throw IPFSError.blockNotFound(cid: cid.description) }
    return try DagPBNode(decoding: block.data).links.map(\.cid)
}

/// Waits (bounded) until the read's holds are given back after its handle closed.
private func waitForRelease(_ store: BlockStore, module: String) async throws {
    for _ in 0..<500 where store.usage(module: module) > 0 { try await Task.sleep(for: .milliseconds(10)) }
}

@Suite("ipfs_get with trustless-gateway scopes (dag-scope, entity-bytes)", .serialized)
struct ScopedIPFSGetTests {
    @Test("dag-scope=block answers a CAR with only the root block, exactly the gateway's answer; it pins nothing and its hold ends with the read")
    func blockScope() async throws {
        let (store, folder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let imported = try await UnixFSImporter(options: smallChunks).importStream(ArrayByteSource(sampleBytes(40_000)), into: store, module: "publisher")
        #expect(try links(of: imported.root, in: store).count == 10)
        let operations = contentOperations(SharedContent(store: store), name: "reader")
        defer { operations.close() }

        let handle = try operations.ipfsGet("\(imported.root)?dag-scope=block", format: .car, timeout: .seconds(30))
        let car = try await readAll(operations, handle)
        let (roots, blocks) = try await carContents(car)
        #expect(roots == [imported.root])
        #expect(blocks == [imported.root])
        #expect(car == (try await gatewayAnswer(store, "/ipfs/\(imported.root)?format=car&dag-scope=block")))
        // The gateway client's verifier accepts it as the answer to the scoped request.
        let (check, checkFolder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: checkFolder) }
        let held = try await GatewayResponseVerifier().verifyCAR(
            ArrayByteSource(car), for: GatewayRequest(root: imported.root, scope: .block), into: check, module: "v")
        #expect(held == [imported.root])

        try operations.close(handle: handle)
        try await waitForRelease(store, module: "reader")
        #expect(store.usage(module: "reader") == 0)
        #expect(store.pins(module: "reader").isEmpty)

        // Unknown parameters (Spark's protocols and providers, a format) are ignored.
        let spark = "\(imported.root)?dag-scope=block&protocols=bitswap&providers=%2Fip4%2F127.0.0.1%2Ftcp%2F1&format=raw&car-version=1"
        #expect(try await readAll(operations, try operations.ipfsGet(spark, format: .car, timeout: .seconds(30))) == car)
        // dag-scope=all (explicit or by default) is the whole DAG, as without a query.
        let all = try await readAll(operations, try operations.ipfsGet("\(imported.root)?dag-scope=all", format: .car, timeout: .seconds(30)))
        #expect(all == (try await readAll(operations, try operations.ipfsGet(imported.root.description, format: .car, timeout: .seconds(30)))))
        #expect(try await carContents(all).blocks.count == 11)
    }

    @Test("dag-scope=entity with entity-bytes answers the root and exactly the leaves covering the range")
    func entityBytes() async throws {
        let (store, folder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let imported = try await UnixFSImporter(options: smallChunks).importStream(ArrayByteSource(sampleBytes(40_000)), into: store, module: "publisher")
        let leaves = try links(of: imported.root, in: store)
        let operations = contentOperations(SharedContent(store: store), name: "reader")
        defer { operations.close() }

        // Bytes 5000...9000 lie in the second (4096..<8192) and third (8192..<12288) leaves.
        let target = "\(imported.root)?dag-scope=entity&entity-bytes=5000:9000"
        let car = try await readAll(operations, try operations.ipfsGet(target, format: .car, timeout: .seconds(30)))
        #expect(try await carContents(car).blocks == [imported.root, leaves[1], leaves[2]])
        #expect(car == (try await gatewayAnswer(store, "/ipfs/\(imported.root)?format=car&dag-scope=entity&entity-bytes=5000:9000")))
        // The last 100 bytes: the last leaf only.
        let tail = try await readAll(operations, try operations.ipfsGet("\(imported.root)?dag-scope=entity&entity-bytes=-100:*", format: .car, timeout: .seconds(30)))
        #expect(try await carContents(tail).blocks == [imported.root, leaves[9]])
        // Without a range the entity is the whole file.
        let whole = try await readAll(operations, try operations.ipfsGet("\(imported.root)?dag-scope=entity", format: .car, timeout: .seconds(30)))
        let wholeBlocks = try await carContents(whole).blocks
        #expect(wholeBlocks == [imported.root] + leaves, "\(wholeBlocks.count) blocks, \(Set(leaves).count) distinct leaves")
        try await waitForRelease(store, module: "reader")
        #expect(store.usage(module: "reader") == 0)
    }

    @Test("a path with dag-scope=block answers the directory blocks along the path and the file's root block")
    func pathBlockScope() async throws {
        let (store, folder) = try temporaryStore()
        let tree = FileManager.default.temporaryDirectory.appendingPathComponent("station-scoped-\(UUID().uuidString)")
        defer {
            try? FileManager.default.removeItem(at: folder)
            try? FileManager.default.removeItem(at: tree)
        }
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data(sampleBytes(40_000)).write(to: tree.appendingPathComponent("sub/big.bin"))
        try Data("other".utf8).write(to: tree.appendingPathComponent("other.txt"))
        let imported = try await UnixFSImporter(options: smallChunks).importPath(at: tree, into: store, module: "publisher")
        let exporter = UnixFSExporter(provider: store)
        let sub = try await exporter.resolve(imported.root, path: "sub")
        let file = try await exporter.resolve(imported.root, path: "sub/big.bin")
        let operations = contentOperations(SharedContent(store: store), name: "reader")
        defer { operations.close() }

        let car = try await readAll(operations, try operations.ipfsGet("\(imported.root)/sub/big.bin?dag-scope=block", format: .car, timeout: .seconds(30)))
        let (roots, blocks) = try await carContents(car)
        #expect(roots == [imported.root])
        #expect(blocks == [imported.root, sub, file])
        #expect(car == (try await gatewayAnswer(store, "/ipfs/\(imported.root)/sub/big.bin?format=car&dag-scope=block")))
        let request = GatewayRequest(root: imported.root, path: ["sub", "big.bin"], scope: .block)
        let (check, checkFolder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: checkFolder) }
        #expect(try await GatewayResponseVerifier().verifyCAR(ArrayByteSource(car), for: request, into: check, module: "v").count == 3)

        // A missing path segment is not-found.
        let missing = try operations.ipfsGet("\(imported.root)/sub/nothing?dag-scope=block", format: .car, timeout: .seconds(30))
        do {
            _ = try await readAll(operations, missing)
            Issue.record("a missing path was read")
        } catch let error as StationError {
            #expect(error.code == .notFound, "\(error)")
        }
    }

    @Test("a scoped read of local content needs only the blocks it selects: the rest of the DAG may be absent (no peers, no gateways)")
    func partialLocalDAG() async throws {
        let (store, folder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        var blocks: [Block] = []
        let root = try await UnixFSImporter(options: smallChunks).importFile(ArrayByteSource(sampleBytes(40_000, seed: 3))) { blocks.append($0) }.cid
        let rootBlock = try #require(blocks.first { $0.cid == root })
        let leaves = try DagPBNode(decoding: rootBlock.data).links.map(\.cid)
        // Only the root and the fourth leaf are stored (held by nobody: garbage the read must hold).
        for block in blocks where block.cid == root || block.cid == leaves[3] {
            try store.put(block, module: "setup")
            store.release(block.cid, module: "setup")
        }
        let operations = contentOperations(SharedContent(store: store), name: "reader")
        defer { operations.close() }

        let car = try await readAll(operations, try operations.ipfsGet("\(root)?dag-scope=block", format: .car, timeout: .seconds(10)))
        #expect(try await carContents(car).blocks == [root])
        let range = try await readAll(operations, try operations.ipfsGet("\(root)?dag-scope=entity&entity-bytes=12288:16383", format: .car, timeout: .seconds(10)))
        #expect(try await carContents(range).blocks == [root, leaves[3]])
        // A range reaching a missing leaf is not-found, as the whole DAG is.
        for target in ["\(root)?dag-scope=entity&entity-bytes=0:10", "\(root)"] {
            do {
                _ = try await readAll(operations, try operations.ipfsGet(target, format: .car, timeout: .seconds(10)))
                Issue.record("\(target) was read without its blocks")
            } catch let error as StationError {
                #expect(error.code == .notFound, "\(error)")
            }
        }
        try await waitForRelease(store, module: "reader")
        #expect(store.usage(module: "reader") == 0)
        #expect(store.blockCount == 2)
    }

    @Test("over Bitswap, dag-scope=block fetches only the root block of a large file and pins nothing")
    func blockScopeOverBitswap() async throws {
        let (seedStore, seedFolder) = try temporaryStore()
        let (localStore, localFolder) = try temporaryStore()
        defer {
            try? FileManager.default.removeItem(at: seedFolder)
            try? FileManager.default.removeItem(at: localFolder)
        }
        let bytes = sampleBytes(400_000, seed: 5)
        let imported = try await UnixFSImporter(options: smallChunks).importStream(ArrayByteSource(bytes), into: seedStore, module: "seed")
        let seedTree = try links(of: imported.root, in: seedStore)
        #expect(seedTree.count == 98)

        let peers = try await BitswapSeedPair(seedStore: seedStore, localStore: localStore)
        let operations = contentOperations(peers.content)
        let handle = try operations.ipfsGet("\(imported.root)?dag-scope=block&protocols=bitswap", format: .car, timeout: .seconds(30))
        let car = try await readAll(operations, handle)
        #expect(try await carContents(car).blocks == [imported.root])
        #expect(car == (try await gatewayAnswer(seedStore, "/ipfs/\(imported.root)?format=car&dag-scope=block")))
        try operations.close(handle: handle)
        // One block came over the network and one is stored; nothing is pinned or held after the read.
        #expect(peers.localBitswap.statistics.blocksReceived == 1)
        #expect(localStore.blockCount == 1)
        try await waitForRelease(localStore, module: "m")
        #expect(localStore.usage(module: "m") == 0)
        #expect(localStore.pinnedRoots.isEmpty)

        // A range fetches the blocks covering it (the root is local now): leaves 2 and 3.
        let range = try await readAll(operations, try operations.ipfsGet("\(imported.root)?dag-scope=entity&entity-bytes=9000:13000", format: .car, timeout: .seconds(30)))
        #expect(try await carContents(range).blocks == [imported.root, seedTree[2], seedTree[3]])
        #expect(peers.localBitswap.statistics.blocksReceived == 3)
        #expect(localStore.blockCount == 3)
        try await waitForRelease(localStore, module: "m")
        #expect(localStore.usage(module: "m") == 0)
        #expect(localStore.pinnedRoots.isEmpty)
        #expect(try localStore.collectGarbage().removedBlocks == 3)

        operations.close()
        await peers.close()
    }

    @Test("from a trustless gateway, the scoped request is passed on: one block comes and is stored, nothing is pinned")
    func blockScopeFromGateway() async throws {
        let (seedStore, seedFolder) = try temporaryStore()
        let (localStore, localFolder) = try temporaryStore()
        defer {
            try? FileManager.default.removeItem(at: seedFolder)
            try? FileManager.default.removeItem(at: localFolder)
        }
        let imported = try await UnixFSImporter(options: smallChunks).importStream(ArrayByteSource(sampleBytes(100_000, seed: 9)), into: seedStore, module: "seed")
        let targets = Mutex<[String]>([])
        let serve = GatewayResponder(provider: seedStore).httpHandler
        let server = try await GatewayHTTPServer.start { request in
            targets.withLock { $0.append(request.target) }
            return await serve(request)
        }
        let client = try TrustlessGatewayClient(gateways: [server.baseURL])
        let operations = contentOperations(SharedContent(store: localStore, gateway: client))
        let car = try await readAll(operations, try operations.ipfsGet("\(imported.root)?dag-scope=block", format: .car, timeout: .seconds(30)))
        #expect(try await carContents(car).blocks == [imported.root])
        let asked = targets.withLock { $0 }
        #expect(asked.count == 1 && asked.allSatisfy { $0.hasPrefix("/ipfs/\(imported.root)?") && $0.contains("dag-scope=block") }, "\(asked)")
        #expect(localStore.blockCount == 1)
        try await waitForRelease(localStore, module: "m")
        #expect(localStore.usage(module: "m") == 0)
        #expect(localStore.pinnedRoots.isEmpty)
        operations.close()
        await client.shutdown()
        await server.close()
    }

    @Test("bad scopes and ranges are invalid-argument (the gateway parser's message); the file format takes no query")
    func invalidScopes() async throws {
        let (store, folder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let operations = contentOperations(SharedContent(store: store))
        defer { operations.close() }
        // ipfsPut blocks its thread until the write is done: a module thread, not a cooperative one
        // (suites run in parallel on a small pool).
        let cid = try await onModuleThread { try operations.ipfsPut(sampleBytes(10_000)) }
        let cases: [(String, ContentFormat, String)] = [
            ("\(cid)?dag-scope=everything", .car, "dag-scope must be block, entity or all"),
            ("\(cid)?entity-bytes=0:10", .car, "entity-bytes needs dag-scope=entity"),
            ("\(cid)?dag-scope=entity&entity-bytes=10:5", .car, "ends before it starts"),
            ("\(cid)?dag-scope=entity&entity-bytes=a:b", .car, "entity-bytes must be 'from:to'"),
            ("\(cid)?dag-scope=block", .file, "needs the CAR format"),
        ]
        for (text, format, message) in cases {
            do {
                _ = try operations.ipfsGet(text, format: format, timeout: nil)
                Issue.record("\(text) was accepted")
            } catch {
                #expect(error.code == .invalidArgument, "\(text): \(error)")
                #expect(error.message.contains(message), "\(text): \(error.message)")
            }
        }
        // A range entirely past the end of the file is refused as a gateway refuses it (400).
        let handle = try operations.ipfsGet("\(cid)?dag-scope=entity&entity-bytes=20000:30000", format: .car, timeout: .seconds(10))
        do {
            _ = try await readAll(operations, handle)
            Issue.record("a range past the end was read")
        } catch let error as StationError {
            #expect(error.code == .invalidArgument, "\(error)")
        }
    }
}
