@testable import Bitswap
import Foundation
import Libp2p
import Multiformats
import StationTestSupport
import Synchronization
import Testing
@testable import IPFS

/// Bitswap sessions between real peers on loopback: our own hosts running `BitswapServer`, and
/// scripted peers for the ones that misbehave.
@Suite(.serialized) struct BitswapSessionTests {
    /// A UnixFS file of `leaves` 4 KiB raw leaves under one root, imported into a scratch store;
    /// returns the root, the leaves in order, every block by multihash, and the bytes.
    private func makeDAG(leaves: Int, seed: UInt64) async throws -> (root: Block, leaves: [Block], bytes: [UInt8]) {
        let directory = try TemporaryDirectory("bitswap-dag")
        let store = try makeStore(directory)
        let bytes = pseudoRandomBytes(count: leaves * 4096, seed: seed)
        let importer = try UnixFSImporter(options: UnixFSImportOptions(chunkSize: 4096, cidVersion: 1, rawLeaves: true))
        let root = try await importer.importStream(ArrayByteSource(bytes), into: store, module: "seed").root
        let rootBlock = try #require(try store.get(root))
        let children = try BlockLinks.children(of: root, data: rootBlock.data)
        #expect(children.count == leaves)   // one level: the test splits leaves between providers
        return (rootBlock, try children.map { try #require(try store.get($0)) }, bytes)
    }

    /// Starts recording the wantlist entries a node receives.
    private func recordWants(_ node: Bitswap) {
        node.wantLog.withLock { $0 = [] }
    }

    private func wants(_ node: Bitswap) -> [BitswapMessage.Entry] {
        node.wantLog.withLock { $0 ?? [] }
    }

    /// Waits until the nodes together count `total` blocks sent (a server counts a message once
    /// its write returned, which can be just after the client already has the block).
    private func settle(_ nodes: [Bitswap], blocksSent total: Int) async throws {
        try await withDeadline(30, "servers count \(total) blocks sent") {
            while nodes.reduce(0, { $0 + $1.statistics.blocksSent }) < total { try await Task.sleep(for: .milliseconds(10)) }
        }
    }

    private static func blockWants(_ entries: [BitswapMessage.Entry]) -> [CID] {
        entries.filter { !$0.cancel && $0.wantType == .block }.map(\.cid)
    }

    @Test func aDAGSplitAcrossThreeProvidersIsFetchedAskingEachForWhatItHas() async throws {
        let dag = try await makeDAG(leaves: 12, seed: 31)
        let directories = try (0 ..< 3).map { try TemporaryDirectory("bitswap-provider-\($0)") }
        var providers: [(Bitswap, Multiaddr)] = []
        for directory in directories { providers.append(try await BitswapFixtures.node(directory)) }
        // A holds the root and leaves 0-3, B leaves 4-7, C leaves 8-11.
        let parts: [[Block]] = [[dag.root] + dag.leaves[0 ..< 4], Array(dag.leaves[4 ..< 8]), Array(dag.leaves[8 ..< 12])]
        for (index, part) in parts.enumerated() {
            for block in part { try providers[index].0.store.put(block, module: "seed") }
            recordWants(providers[index].0)
        }
        let clientDirectory = try TemporaryDirectory("bitswap-client")
        let (client, _) = try await BitswapFixtures.node(clientDirectory)

        let addresses = providers.map(\.1)
        let result = try await withDeadline(120, "fetch split DAG") {
            try await client.fetchDAG(root: dag.root.cid, from: addresses, module: "reader")
        }
        #expect(result.blocks == 13)
        #expect(result.fetchedBlocks == 13)
        #expect(try await readAll(UnixFSExporter(provider: client.store), dag.root.cid) == dag.bytes)
        #expect(client.statistics.unwantedBlocks == 0)

        // Each provider sent exactly its part: every block was asked of one holder.
        try await settle(providers.map(\.0), blocksSent: 13)
        for (index, part) in parts.enumerated() {
            #expect(providers[index].0.statistics.blocksSent == part.count, "provider \(index)")
        }
        let asked = providers.map { Self.blockWants(wants($0.0)) }
        // The root was found with want-have (all three were asked whether they have it).
        for (index, provider) in providers.enumerated() {
            #expect(wants(provider.0).contains { $0.cid == dag.root.cid && $0.wantType == .have && !$0.cancel }, "provider \(index)")
        }
        // B and C were asked for their own blocks only; nothing was broadcast: every block went as
        // a want-block to at most two providers (a guess and then the one that said HAVE).
        #expect(Set(asked[1]) == Set(parts[1].map(\.cid)))
        #expect(Set(asked[2]) == Set(parts[2].map(\.cid)))
        #expect(Set(parts[0].map(\.cid)).isSubset(of: Set(asked[0])))
        for block in [dag.root] + dag.leaves {
            let count = asked.reduce(0) { $0 + $1.filter { $0 == block.cid }.count }
            #expect((1 ... 2).contains(count), "\(block.cid) asked \(count) times")
        }
        for (provider, _) in providers { await provider.host.close() }
        await client.host.close()
    }

    @Test func silentAndRefusingPeersDoNotStallTheFetchAndGetCancels() async throws {
        let dag = try await makeDAG(leaves: 6, seed: 32)
        let silent = try await RecordingPeer.start()   // reads every want, never answers
        let emptyDirectory = try TemporaryDirectory("bitswap-empty")
        let (empty, emptyAddress) = try await BitswapFixtures.node(emptyDirectory)   // answers DONT_HAVE
        let holderDirectory = try TemporaryDirectory("bitswap-holder")
        let (holder, holderAddress) = try await BitswapFixtures.node(holderDirectory)
        for block in [dag.root] + dag.leaves { try holder.store.put(block, module: "seed") }
        let clientDirectory = try TemporaryDirectory("bitswap-client")
        let (client, _) = try await BitswapFixtures.node(clientDirectory, configuration: BitswapConfiguration(fetchTimeout: 60))

        let result = try await withDeadline(120, "fetch past silent and refusing peers") {
            try await client.fetchDAG(root: dag.root.cid, from: [silent.address, emptyAddress, holderAddress], module: "reader")
        }
        #expect(result.fetchedBlocks == 7)
        try await settle([holder], blocksSent: 7)
        #expect(holder.statistics.blocksSent == 7)
        #expect(empty.statistics.blocksSent == 0)
        try await withDeadline(30, "the empty node answers DONT_HAVE") {   // (maybe after the fetch ended)
            while empty.statistics.presencesSent == 0 { try await Task.sleep(for: .milliseconds(10)) }
        }

        // The silent peer was only asked whether it has blocks, and every one of those wants was
        // cancelled once the block came from the holder.
        let messages = try await withDeadline(30, "cancels reach the silent peer") {
            try await silent.waitForMessages { messages in
                let entries = messages.flatMap(\.wantlist)
                let wanted = Set(entries.filter { !$0.cancel }.map(\.cid))
                return !wanted.isEmpty && wanted == Set(entries.filter(\.cancel).map(\.cid))
            }
        }
        let entries = messages.flatMap(\.wantlist)
        #expect(!entries.contains { !$0.cancel && $0.wantType == .block })
        #expect(Set(entries.filter(\.cancel).map(\.cid)) == Set(([dag.root] + dag.leaves).map(\.cid)))
        for host in [silent.host, empty.host, holder.host, client.host] { await host.close() }
    }

    @Test func aHolderBeyondTheSessionSizeIsAskedOnceTheSessionPeersAllRefuse() async throws {
        let dag = try await makeDAG(leaves: 3, seed: 38)
        let emptyDirectories = try (0 ..< 2).map { try TemporaryDirectory("bitswap-empty-\($0)") }
        var empties: [(Bitswap, Multiaddr)] = []
        for directory in emptyDirectories { empties.append(try await BitswapFixtures.node(directory)) }
        let holderDirectory = try TemporaryDirectory("bitswap-holder")
        let (holder, holderAddress) = try await BitswapFixtures.node(holderDirectory)
        for block in [dag.root] + dag.leaves { try holder.store.put(block, module: "seed") }
        // A session of two: the holder, given third, is a reserve.
        let clientDirectory = try TemporaryDirectory("bitswap-client")
        let (client, _) = try await BitswapFixtures.node(clientDirectory, configuration: BitswapConfiguration(maxSessionPeers: 2))

        let addresses = empties.map(\.1) + [holderAddress]
        let result = try await withDeadline(120, "fetch from the reserve") {
            try await client.fetchDAG(root: dag.root.cid, from: addresses, module: "reader")
        }
        #expect(result.fetchedBlocks == 4)
        #expect(try await readAll(UnixFSExporter(provider: client.store), dag.root.cid) == dag.bytes)
        try await settle([holder], blocksSent: 4)
        for (empty, _) in empties { #expect(empty.statistics.blocksSent == 0) }
        for host in empties.map(\.0.host) + [holder.host, client.host] { await host.close() }
    }

    @Test func aPeerFedToARunningFetchJoinsItsSessionAndDeliversTheDAG() async throws {
        let dag = try await makeDAG(leaves: 6, seed: 39)
        let silent = try await RecordingPeer.start()   // reads every want, never answers
        let holderDirectory = try TemporaryDirectory("bitswap-holder")
        let (holder, holderAddress) = try await BitswapFixtures.node(holderDirectory)
        for block in [dag.root] + dag.leaves { try holder.store.put(block, module: "seed") }
        let clientDirectory = try TemporaryDirectory("bitswap-client")
        let (client, _) = try await BitswapFixtures.node(clientDirectory)
        _ = try await client.host.connect(to: holderAddress)
        let holderID = holder.host.peerID

        // The fetch starts with the silent peer alone, which can neither deliver nor refuse.
        let feed = BitswapPeerFeed()
        let silentID = try await client.host.connect(to: silent.address).remotePeer
        let fetch = Task { try await client.fetchDAG(root: dag.root.cid, from: [silentID], module: "reader", feed: feed) }
        _ = try await withDeadline(30, "the silent peer is asked for the root") {
            try await silent.waitForMessages { messages in messages.contains { !$0.wantlist.isEmpty } }
        }
        // The holder joins the running session and delivers everything.
        #expect(feed.add(holderID))
        let result = try await withDeadline(60, "fetch through the joined peer") { try await fetch.value }
        #expect(result.fetchedBlocks == 7)
        #expect(try await readAll(UnixFSExporter(provider: client.store), dag.root.cid) == dag.bytes)
        try await settle([holder], blocksSent: 7)
        // Once the fetch is over the feed refuses: the caller must fetch some other way.
        #expect(feed.isEnded)
        #expect(!feed.add(holderID))
        for host in [silent.host, holder.host, client.host] { await host.close() }
    }

    @Test func aPeerThatSaysHaveButNeverSendsIsAskedAgainElsewhereAndDropped() async throws {
        let dag = try await makeDAG(leaves: 12, seed: 33)
        // Answers HAVE to everything and never sends a block.
        let liar = try await RecordingPeer.start { want, reply in
            if want.wantType == .have { try await reply(BitswapMessage(presences: [.init(cid: want.cid, type: .have)])) }
        }
        let holderDirectory = try TemporaryDirectory("bitswap-holder")
        let (holder, holderAddress) = try await BitswapFixtures.node(holderDirectory)
        for block in [dag.root] + dag.leaves { try holder.store.put(block, module: "seed") }
        let clientDirectory = try TemporaryDirectory("bitswap-client")
        let (client, _) = try await BitswapFixtures.node(
            clientDirectory, configuration: BitswapConfiguration(fetchTimeout: 60, wantTimeout: 0.2))

        let result = try await withDeadline(120, "fetch past a liar") {
            try await client.fetchDAG(root: dag.root.cid, from: [liar.address, holderAddress], module: "reader")
        }
        #expect(result.fetchedBlocks == 13)
        #expect(try await readAll(UnixFSExporter(provider: client.store), dag.root.cid) == dag.bytes)
        try await settle([holder], blocksSent: 13)
        #expect(holder.statistics.blocksSent == 13)
        #expect(client.statistics.peerStrikes >= 3)
        #expect(client.statistics.peersDropped == 1)
        // Every want-block the liar got was cancelled.
        _ = try await withDeadline(30, "cancels reach the liar") {
            try await liar.waitForMessages { messages in
                let entries = messages.flatMap(\.wantlist)
                let asked = Set(entries.filter { !$0.cancel && $0.wantType == .block }.map(\.cid))
                return !asked.isEmpty && asked.isSubset(of: Set(entries.filter(\.cancel).map(\.cid)))
            }
        }
        for host in [liar.host, holder.host, client.host] { await host.close() }
    }

    @Test func aPeerSendingGarbageIsDroppedAndTheFetchCompletesFromTheOthers() async throws {
        let dag = try await makeDAG(leaves: 12, seed: 34)
        // Says HAVE, then answers each want-block with bytes that do not hash to the CID.
        let rogue = try await RecordingPeer.start { want, reply in
            switch want.wantType {
            case .have: try await reply(BitswapMessage(presences: [.init(cid: want.cid, type: .have)]))
            case .block: try await reply(BitswapMessage(payloads: [.init(prefix: CIDPrefix(of: want.cid), data: Array("garbage \(want.cid)".utf8))]))
            }
        }
        let holderDirectory = try TemporaryDirectory("bitswap-holder")
        let (holder, holderAddress) = try await BitswapFixtures.node(holderDirectory)
        for block in [dag.root] + dag.leaves { try holder.store.put(block, module: "seed") }
        let clientDirectory = try TemporaryDirectory("bitswap-client")
        let (client, _) = try await BitswapFixtures.node(
            clientDirectory, configuration: BitswapConfiguration(fetchTimeout: 60, wantTimeout: 0.5))

        let result = try await withDeadline(120, "fetch past a rogue") {
            try await client.fetchDAG(root: dag.root.cid, from: [rogue.address, holderAddress], module: "reader")
        }
        #expect(result.fetchedBlocks == 13)
        #expect(try await readAll(UnixFSExporter(provider: client.store), dag.root.cid) == dag.bytes)
        let stats = client.statistics
        #expect(stats.unwantedBlocks >= 1)
        #expect(stats.peersDropped == 1)
        #expect(client.store.blockCount == 13)   // nothing of the garbage was stored
        for host in [rogue.host, holder.host, client.host] { await host.close() }
    }

    @Test func aMessagePackedWithGarbageCostsBoundedStrikes() async throws {
        let wanted = Block(data: Array("the real block".utf8), codec: .raw, version: 1)
        // One message of 500 tiny blocks nobody asked for, then the real block.
        let rogue = try await RecordingPeer.start { want, reply in
            try await reply(BitswapMessage(payloads: (0 ..< 500).map { index in
                .init(prefix: CIDPrefix(of: want.cid), data: Array("junk \(index)".utf8))
            }))
            try await reply(BitswapMessage(payloads: [.init(prefix: CIDPrefix(of: wanted.cid), data: wanted.data)]))
        }
        let clientDirectory = try TemporaryDirectory("bitswap-client")
        let (client, _) = try await BitswapFixtures.node(clientDirectory)
        let block = try await withDeadline(60, "fetch from a garbage flood") {
            try await client.fetchBlock(wanted.cid, from: [rogue.address], module: "reader")
        }
        #expect(block == wanted)
        let stats = client.statistics
        #expect(stats.unwantedBlocks == 500)   // every one counted and dropped
        // The only peer is never dropped; the session heard of 8 of the 500.
        #expect(stats.peerStrikes == Bitswap.unwantedReportsPerMessage)
        #expect(stats.peersDropped == 0)
        #expect(client.store.blockCount == 1)
        await rogue.host.close()
        await client.host.close()
    }

    @Test func overlappingFetchesOfOneDAGSendEachWantOncePerPeer() async throws {
        let dag = try await makeDAG(leaves: 8, seed: 35)
        let clientDirectory = try TemporaryDirectory("bitswap-client")
        let (client, _) = try await BitswapFixtures.node(clientDirectory)
        let blocks = Dictionary(uniqueKeysWithValues: ([dag.root] + dag.leaves).map { ($0.cid.multihash.bytes, $0) })
        let root = dag.root.cid
        // Serves the DAG, holding the root back until both fetches wait for it, so they overlap.
        let server = try await RecordingPeer.start { [client] want, reply in
            guard let block = blocks[want.cid.multihash.bytes] else { return }
            if want.cid == root {
                while client.registry.sessionsWaiting(for: root) < 2 { try await Task.sleep(for: .milliseconds(10)) }
            }
            switch want.wantType {
            case .have: try await reply(BitswapMessage(presences: [.init(cid: want.cid, type: .have)]))
            case .block: try await reply(BitswapMessage(payloads: [.init(prefix: CIDPrefix(of: want.cid), data: block.data)]))
            }
        }

        let address = server.address
        let results = try await withDeadline(120, "two overlapping fetches") {
            async let first = client.fetchDAG(root: root, from: [address], module: "one")
            async let second = client.fetchDAG(root: root, from: [address], module: "two")
            return try await [first, second]
        }
        #expect(results.map(\.blocks) == [9, 9])
        #expect(results.map(\.fetchedBlocks).reduce(0, +) >= 9)
        #expect(client.store.isPinned(root, module: "one"))
        #expect(client.store.isPinned(root, module: "two"))
        #expect(client.statistics.unwantedBlocks == 0)

        let entries = try await withDeadline(30, "server saw the wants") {
            try await server.waitForMessages { !$0.isEmpty }
        }.flatMap(\.wantlist)
        let wanted = entries.filter { !$0.cancel }.map(\.cid)
        #expect(wanted.filter { $0 == root }.count == 1)
        for cid in Set(wanted) {
            #expect(wanted.filter { $0 == cid }.count == 1, "\(cid) wanted \(wanted.filter { $0 == cid }.count) times")
        }
        #expect(client.registry.wireWants == 0)
        await server.host.close()
        await client.host.close()
    }

    @Test func aCancelledFetchCancelsItsWantsAtThePeer() async throws {
        let wanted = Block(data: Array("never sent".utf8), codec: .raw, version: 1)
        let silent = try await RecordingPeer.start()
        let clientDirectory = try TemporaryDirectory("bitswap-client")
        let (client, _) = try await BitswapFixtures.node(clientDirectory, configuration: BitswapConfiguration(fetchTimeout: 0.5))
        await #expect(throws: BitswapError.timeout(missing: wanted.cid.description, waitedSeconds: 0.5)) {
            try await withDeadline(60, "fetch from a silent peer") {
                try await client.fetchBlock(wanted.cid, from: [silent.address], module: "reader")
            }
        }
        let messages = try await withDeadline(30, "cancel reaches the peer") {
            try await silent.waitForMessages { $0.flatMap(\.wantlist).contains { $0.cancel } }
        }
        let entries = messages.flatMap(\.wantlist)
        #expect(entries.filter { !$0.cancel }.map(\.cid) == [wanted.cid])
        #expect(entries.filter(\.cancel).map(\.cid) == [wanted.cid])
        #expect(client.registry.wireWants == 0)
        await silent.host.close()
        await client.host.close()
    }
}
