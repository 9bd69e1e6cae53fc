import Foundation
import IPFS
import Libp2p
import Multiformats
import NIOPosix
import StationHost
import Synchronization
import Testing

/// ``ContentRouter/statistics()``: lookups, providers and requests counted across the DHT and the
/// delegated routers, against a DHT peer of our own on loopback and a router that refuses connections.
@Suite(.serialized) struct ContentRouterStatisticsTests {
    @Test("lookups, providers found, failed lookups and requests are counted per source")
    func countsLookups() async throws {
        let (store, folder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let known = CID.sha256(Array("provided by someone".utf8), codec: .raw)
        let unknown = CID.sha256(Array("provided by no one".utf8), codec: .raw)

        // A DHT peer naming one provider (at an address the policy refuses) for `known`, none otherwise.
        let peer = Libp2pHost(group: MultiThreadedEventLoopGroup.singleton)
        let peerAddress = try await peer.listen(on: try Multiaddr("/ip4/127.0.0.1/tcp/0")).encapsulate(.p2p(peer.peerID.multihash))
        let provider = PrivateKey().peerID
        peer.setStreamHandler(protocol: KadDHT.lanProtocolID) { stream in
            guard let request = try? await KadDHT.readMessage(from: stream) else { return }
            let providers = request.key == known.multihash.bytes
                ? [KadMessage.Peer(id: provider, addresses: [(try? Multiaddr("/ip4/127.0.0.1/tcp/9"))!])] : []
            let answer = KadMessage(type: request.type, key: request.key, providerPeers: providers)
            try? await stream.write(ProtobufWire.lengthPrefixed(answer.encoded))
            await stream.close()
        }
        let host = Libp2pHost(group: MultiThreadedEventLoopGroup.singleton)
        let dht = KadDHT(host: host)
        #expect(await dht.bootstrap([peerAddress], lookUpSelf: false) == 1)
        // Nothing listens on port 1: every delegated request fails.
        let routers = ["http://127.0.0.1:1"]
        let routing = try DelegatedRoutingClient(routers: routers, policy: ContentRoutingPolicy.routers(routers, allowNet: []))
        let router = ContentRouter(store: store, bitswap: nil, routing: routing, dht: dht)
        #expect(router.statistics() == RoutingStatistics(routingTableSize: 1))

        // Found one provider (not usable: no Bitswap here), so the fetch fails but the lookup did not.
        await #expect(throws: ContentRouterError.self) {
            _ = try await router.fetch(GatewayRequest(root: known, path: []), module: "m")
        }
        var statistics = router.statistics()
        #expect(statistics.lookups == 1)
        #expect(statistics.providersFound == 1)
        #expect(statistics.failedLookups == 0)
        #expect(statistics.dhtRequests == 1)
        #expect(statistics.failedDHTRequests == 0)
        #expect(statistics.delegatedRequests == 1)
        #expect(statistics.failedDelegatedRequests == 1)
        #expect(statistics.routingTableSize == 1)

        // Nobody provides `unknown`: a failed lookup.
        await #expect(throws: ContentRouterError.self) {
            _ = try await router.fetch(GatewayRequest(root: unknown, path: []), module: "m")
        }
        statistics = router.statistics()
        #expect(statistics.lookups == 2)
        #expect(statistics.providersFound == 1)
        #expect(statistics.failedLookups == 1)
        #expect(statistics.dhtRequests == 2)
        #expect(statistics.delegatedRequests == 2)
        #expect(statistics.providerAnnouncements == 0)

        // Content already in the store needs no lookup.
        let local = try await UnixFSImporter().importStream(ArrayByteSource([1, 2, 3]), into: store, module: "m")
        _ = try await router.fetch(GatewayRequest(root: local.root, path: []), module: "m")
        #expect(router.statistics().lookups == 2)

        await routing.shutdown()
        await host.close()
        await peer.close()
    }

    @Test("a DHT in server mode: requests answered and refused, provider records held")
    func countsServedRequests() async throws {
        let (store, folder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: folder) }
        let host = Libp2pHost(group: MultiThreadedEventLoopGroup.singleton)
        _ = try await host.listen(on: try Multiaddr("/ip4/127.0.0.1/tcp/0"))
        let dht = KadDHT(host: host, configuration: KadDHTConfiguration(serverMode: true))
        let router = ContentRouter(store: store, bitswap: nil, routing: nil, dht: dht)
        #expect(router.statistics() == RoutingStatistics())

        let asker = Libp2pHost(group: MultiThreadedEventLoopGroup.singleton)
        let askerAddress = try await asker.listen(on: try Multiaddr("/ip4/127.0.0.1/tcp/0"))
        asker.peerStore.addAddresses(host.listenAddresses, for: host.peerID)
        // A PING answered, then an ADD_PROVIDER naming the asker itself, stored.
        let key = Multihash.sha256(Array("announced".utf8))
        let stream = try await asker.newStream(to: host.peerID, protocols: [KadDHT.lanProtocolID])
        try await stream.write(ProtobufWire.lengthPrefixed(KadMessage(type: .ping, key: []).encoded))
        #expect(try await KadDHT.readMessage(from: stream).type == .ping)
        let ours = KadMessage.Peer(id: asker.peerID, addresses: [askerAddress.withoutPeerID])
        try await stream.write(ProtobufWire.lengthPrefixed(KadMessage(type: .addProvider, key: key.bytes, providerPeers: [ours]).encoded))
        // A GET_PROVIDERS on the same stream is answered after the ADD_PROVIDER was handled.
        try await stream.write(ProtobufWire.lengthPrefixed(KadMessage(type: .getProviders, key: key.bytes).encoded))
        #expect(try await KadDHT.readMessage(from: stream).providerPeers.map(\.id) == [asker.peerID])
        await stream.close()
        // PUT_VALUE is refused (we store no values).
        let refused = try await asker.newStream(to: host.peerID, protocols: [KadDHT.lanProtocolID])
        try await refused.write(ProtobufWire.lengthPrefixed(KadMessage(type: .putValue, key: Array("/ipns/x".utf8)).encoded))
        _ = try? await KadDHT.readMessage(from: refused)

        let statistics = router.statistics()
        #expect(statistics.servedDHTRequests == 3)
        #expect(statistics.refusedDHTRequests == 1)
        #expect(statistics.providerRecords == 1)
        #expect(statistics.dhtRequests == 0, "serving sends no requests of our own")
        await asker.close()
        await host.close()
    }
}
