import Bitswap
import Foundation
import StationTestSupport
import Libp2p
import Testing
@testable import IPFS
import Multiformats

/// An identity CID carries its block: every read path answers it from the CID, never from
/// storage or the network.
@Suite("Identity CIDs")
struct IdentityCIDTests {
    private let text = Array("inline bytes".utf8)
    private var inlineFile: CID { CID.v1(codec: .raw, multihash: .identity(text)) }

    /// A directory whose only entry is the identity-hashed file `hello.txt`.
    private func directory(in store: BlockStore) throws -> Block {
        let node = dagPBBlock(
            links: [DagPBLink(cid: inlineFile, name: "hello.txt", totalSize: UInt64(text.count))],
            unixfs: UnixFSData(kind: .directory))
        try store.put(node, module: "m")
        return node
    }

    @Test func theEmptyIdentityCIDIsFoundInAnEmptyStore() throws {
        let folder = try TemporaryDirectory()
        let store = try makeStore(folder)
        let empty = try CID("bafkqaaa")
        #expect(store.has(empty))
        #expect(try store.get(empty)?.data == [])
        #expect(store.size(of: empty) == 0)
    }

    @Test func theStoreAnswersWithoutStoringAnything() throws {
        let folder = try TemporaryDirectory()
        let store = try makeStore(folder)
        #expect(try store.get(inlineFile)?.data == text)
        let block = try #require(try store.get(inlineFile))
        try store.put(block, module: "m")
        #expect(store.blockCount == 0 && store.storedSize == 0 && store.usage(module: "m") == 0)
        try store.pin(inlineFile, module: "m")
        #expect(store.isPinned(inlineFile, module: "m"))
        try store.unpin(inlineFile, module: "m")
    }

    @Test func pinningADAGWithAnIdentityChildWorks() throws {
        let folder = try TemporaryDirectory()
        let store = try makeStore(folder)
        let node = try directory(in: store)
        try store.pin(node.cid, module: "m")
        store.release(node.cid, module: "m")
        #expect(store.usage(module: "m") == Int64(node.data.count))
    }

    @Test func exporterReadsAnIdentityFileThroughAPath() async throws {
        let folder = try TemporaryDirectory()
        let store = try makeStore(folder)
        let node = try directory(in: store)
        let exporter = UnixFSExporter(provider: store)
        #expect(try await readAll(exporter, inlineFile) == text)
        let resolved = try await exporter.resolve(node.cid, path: "hello.txt")
        #expect(try await readAll(exporter, resolved) == text)
    }

    @Test func gatewayServesIdentityContentAndLeavesItOutOfCARs() async throws {
        let folder = try TemporaryDirectory()
        let store = try makeStore(folder)
        let node = try directory(in: store)
        let responder = GatewayResponder(provider: store)
        let raw = await responder.respond(target: "/ipfs/\(inlineFile)?format=raw")
        #expect(raw.status == 200)
        var rawBody: [UInt8] = []
        try await raw.body?({ rawBody += $0 })
        #expect(rawBody == text)

        let target = "/ipfs/\(node.cid)/hello.txt?format=car"
        let car = await responder.respond(target: target)
        #expect(car.status == 200)
        var carBody: [UInt8] = []
        try await car.body?({ carBody += $0 })
        let reader = try await CARReader(source: ArrayByteSource(carBody))
        var cids: [CID] = []
        while let block = try await reader.next() { cids.append(block.cid) }
        #expect(cids == [node.cid])  // the spec forbids identity blocks in CARs
        let clientFolder = try TemporaryDirectory()
        let client = try makeStore(clientFolder)
        let held = try await GatewayResponseVerifier()
            .verifyCAR(ArrayByteSource(carBody), for: try GatewayRequest(target: target), into: client, module: "c")
        #expect(held == [node.cid])
    }

    @Test func bitswapAnswersIdentityCIDsWithoutPeers() async throws {
        let folder = try TemporaryDirectory()
        let (bitswap, _) = try await BitswapFixtures.node(folder)
        defer { Task { await bitswap.stop() } }
        let block = try await bitswap.fetchBlock(inlineFile, from: [PeerID](), module: "m")
        #expect(block.data == text)
        let node = try directory(in: bitswap.store)
        let result = try await bitswap.fetchDAG(root: node.cid, from: [PeerID](), module: "m")
        #expect(result.fetchedBlocks == 0)
        #expect(bitswap.store.isPinned(node.cid, module: "m"))
    }
}
