@testable import Bitswap
import Foundation
import Libp2p
import Multiformats
import StationTestSupport
import Synchronization
import Testing
@testable import IPFS

/// Bitswap between our own hosts on loopback: DAG fetches, presences, cancels, hostile peers.
@Suite(.serialized) struct BitswapTests {
    /// Imports pseudo-random bytes as a UnixFS file (kubo layout, 256 KiB chunks) for `module`.
    private func importFile(_ bytes: [UInt8], into store: BlockStore, module: String = "seed") async throws -> CID {
        try await UnixFSImporter(options: .kuboDefaults).importStream(ArrayByteSource(bytes), into: store, module: module).root
    }

    @Test func fetchesAMultiChunkFileBetweenTwoStationNodes() async throws {
        let serverDirectory = try TemporaryDirectory("bitswap-server")
        let clientDirectory = try TemporaryDirectory("bitswap-client")
        let (server, serverAddress) = try await BitswapFixtures.node(serverDirectory)
        // A small window so the fetch has to refill it many times.
        let (client, _) = try await BitswapFixtures.node(clientDirectory, configuration: BitswapConfiguration(window: 4))
        let bytes = pseudoRandomBytes(count: 5 * 256 * 1024 + 4321, seed: 11)
        let root = try await importFile(bytes, into: server.store)

        let result = try await withDeadline(120, "fetch DAG") {
            try await client.fetchDAG(root: root, from: [serverAddress], module: "reader")
        }
        #expect(result.blocks == 7)   // six leaves and the root
        #expect(result.fetchedBlocks == 7)
        #expect(client.store.isPinned(root, module: "reader"))
        #expect(client.store.usage(module: "reader") == Int64(result.bytes))
        #expect(try await readAll(UnixFSExporter(provider: client.store), root) == bytes)
        #expect(client.statistics.blocksReceived == 7)
        #expect(client.statistics.unwantedBlocks == 0)
        // The server counts a message once its write returned, maybe just after the fetch ended.
        try await withDeadline(30, "server counts its blocks") {
            while server.statistics.blocksSent < 7 { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(server.statistics.blocksSent == 7)

        // A second fetch is served from the local store.
        let again = try await client.fetchDAG(root: root, from: [serverAddress], module: "other")
        #expect(again.fetchedBlocks == 0)
        #expect(again.blocks == 7)
        await server.host.close()
        await client.host.close()
    }

    @Test func missingBlockIsReportedByNameFromDontHave() async throws {
        let serverDirectory = try TemporaryDirectory("bitswap-server")
        let clientDirectory = try TemporaryDirectory("bitswap-client")
        let (server, serverAddress) = try await BitswapFixtures.node(serverDirectory)
        let (client, _) = try await BitswapFixtures.node(clientDirectory)
        let absent = Block(data: Array("nobody has this".utf8), codec: .raw, version: 1).cid
        await #expect(throws: BitswapError.notFound(cid: absent.description, peers: 1)) {
            try await withDeadline(60, "fetch absent block") {
                try await client.fetchBlock(absent, from: [serverAddress], module: "reader")
            }
        }
        #expect(client.store.blockCount == 0)
        await server.host.close()
        await client.host.close()
    }

    @Test func serverAnswersWantHaveAndRespectsCancel() async throws {
        let directory = try TemporaryDirectory("bitswap-server")
        let (server, serverAddress) = try await BitswapFixtures.node(directory)
        let present = Block(data: Array("present".utf8), codec: .raw, version: 1)
        let served = Block(data: Array("served".utf8), codec: .raw, version: 1)
        let cancelled = Block(data: Array("cancelled".utf8), codec: .raw, version: 1)
        for block in [present, served, cancelled] { try server.store.put(block, module: "seed") }
        let absent = Block(data: Array("absent".utf8), codec: .raw, version: 1).cid

        let probe = try await RecordingPeer.start()
        let stream = try await probe.host.newStream(to: serverAddress, protocol: "/ipfs/bitswap/1.2.0")
        // Want and cancel in one message: that block must never be sent.
        try await stream.write(BitswapFraming.frame(BitswapMessage(wantlist: [
            .init(cid: cancelled.cid), .init(cid: cancelled.cid, cancel: true),
        ])))
        try await stream.write(BitswapFraming.frame(BitswapMessage(wantlist: [
            .init(cid: present.cid, wantType: .have, sendDontHave: true),
            .init(cid: absent, wantType: .have, sendDontHave: true),
            .init(cid: served.cid, wantType: .block),
        ])))

        let messages = try await withDeadline(60, "server answers") {
            try await probe.waitForMessages { $0.flatMap(\.presences).count >= 2 && !$0.flatMap(\.payloads).isEmpty }
        }
        let presences = messages.flatMap(\.presences)
        #expect(presences.contains(.init(cid: present.cid, type: .have)))
        #expect(presences.contains(.init(cid: absent, type: .dontHave)))
        let blocks = try messages.flatMap(\.payloads).map { try $0.cid() }
        #expect(blocks == [served.cid])
        // The answers came on a stream the server opened, not on ours.
        #expect(probe.inboundStreams >= 1)
        #expect(server.statistics.presencesSent == 2)
        await probe.host.close()
        await server.host.close()
    }

    // MARK: Hostile peers

    @Test func unrequestedMismatchedAndOversizedBlocksAreNeverStored() async throws {
        let directory = try TemporaryDirectory("bitswap-client")
        let (client, _) = try await BitswapFixtures.node(directory, configuration: BitswapConfiguration(maxBlockSize: 1024))
        let wanted = Block(data: Array("the block we want".utf8), codec: .raw, version: 1)
        let unrequested = Block(data: Array("a block nobody asked for".utf8), codec: .raw, version: 1)
        let oversized = [UInt8](repeating: 7, count: 4096)
        let rogue = try await RecordingPeer.start { want, reply in
            // Unrequested block, the wanted CID's prefix with other bytes, an oversized block, then the real one.
            try await reply(BitswapMessage(payloads: [
                .init(prefix: CIDPrefix(of: unrequested.cid), data: unrequested.data),
                .init(prefix: CIDPrefix(of: want.cid), data: Array("forged bytes".utf8)),
                .init(prefix: CIDPrefix(of: want.cid), data: oversized),
            ]))
            try await reply(BitswapMessage(payloads: [.init(prefix: CIDPrefix(of: wanted.cid), data: wanted.data)]))
        }
        let block = try await withDeadline(60, "fetch from rogue") {
            try await client.fetchBlock(wanted.cid, from: [rogue.address], module: "reader")
        }
        #expect(block == wanted)
        let stats = client.statistics
        #expect(stats.unwantedBlocks == 2)
        #expect(stats.oversizedBlocks == 1)
        #expect(stats.blocksReceived == 1)
        #expect(client.store.has(wanted.cid))
        #expect(!client.store.has(unrequested.cid))
        #expect(client.store.blockCount == 1)
        #expect(client.store.usage(module: "reader") == Int64(wanted.data.count))
        await rogue.host.close()
        await client.host.close()
    }

    @Test func oversizedMessageIsRefusedUnreadAndTheFetchTimesOutNamingTheBlock() async throws {
        let directory = try TemporaryDirectory("bitswap-client")
        let (client, _) = try await BitswapFixtures.node(directory, configuration: BitswapConfiguration(fetchTimeout: 1))
        let wanted = Block(data: Array("never delivered".utf8), codec: .raw, version: 1)
        let rogue = try await RecordingPeer.start { want, _, stream in
            // Announce a 64 MiB message and send its first bytes.
            var bytes = Varint.encode(64 << 20)
            bytes += BitswapMessage(payloads: [.init(prefix: CIDPrefix(of: want.cid), data: [UInt8](repeating: 1, count: 1024))]).encoded()
            try? await stream.write(bytes)
        }
        await #expect(throws: BitswapError.timeout(missing: wanted.cid.description, waitedSeconds: 1)) {
            try await withDeadline(60, "fetch from rogue") {
                try await client.fetchBlock(wanted.cid, from: [rogue.address], module: "reader")
            }
        }
        try await withDeadline(30, "rejection counted") {
            while client.statistics.rejectedMessages == 0 { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(client.store.blockCount == 0)
        #expect(client.store.usage(module: "reader") == 0)
        await rogue.host.close()
        await client.host.close()
    }
}

/// A bare libp2p host speaking Bitswap by hand: records messages it receives on streams opened
/// to it, and can answer each want it receives through a scripted responder.
final class RecordingPeer: Sendable {
    typealias Reply = @Sendable (BitswapMessage) async throws -> Void
    typealias Responder = @Sendable (BitswapMessage.Entry, Reply, Libp2pStream) async throws -> Void

    let host: Libp2pHost
    let address: Multiaddr
    private let received = Mutex<[BitswapMessage]>([])
    private let inbound = Mutex(0)

    private init(host: Libp2pHost, address: Multiaddr) {
        self.host = host
        self.address = address
    }

    /// Starts a peer; with a responder, every want received is passed to it with a way to reply
    /// on a fresh stream to the requester (and that stream itself, for raw bytes).
    static func start(responder: Responder? = nil) async throws -> RecordingPeer {
        let (host, address) = try await BitswapFixtures.listeningHost()
        let peer = RecordingPeer(host: host, address: address)
        host.setStreamHandler(protocol: "/ipfs/bitswap/1.2.0") { [peer] stream in
            peer.inbound.withLock { $0 += 1 }
            let reader = BitswapMessageReader(stream: stream, maxSize: BitswapMessage.defaultMaxMessageSize)
            while let message = try? await reader.next() {
                peer.received.withLock { $0.append(message) }
                guard let responder else { continue }
                for want in message.wantlist where !want.cancel {
                    guard let replyStream = try? await host.newStream(to: stream.remotePeer, protocols: ["/ipfs/bitswap/1.2.0"]) else { return }
                    let reply: Reply = { try await replyStream.write(BitswapFraming.frame($0)) }
                    try? await responder(want, reply, replyStream)
                }
            }
        }
        return peer
    }

    /// `start` with a responder that only needs the reply function.
    static func start(_ responder: @escaping @Sendable (BitswapMessage.Entry, Reply) async throws -> Void) async throws -> RecordingPeer {
        try await start(responder: { want, reply, _ in try await responder(want, reply) })
    }

    /// Streams other peers opened to us.
    var inboundStreams: Int { inbound.withLock { $0 } }

    /// Waits until the messages received so far satisfy `condition` and returns them.
    func waitForMessages(until condition: @Sendable ([BitswapMessage]) -> Bool) async throws -> [BitswapMessage] {
        while true {
            let messages = received.withLock { $0 }
            if condition(messages) { return messages }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
