import Bitswap
import Foundation
import IPFS
import Libp2p
import Multiformats
import NIOPosix
import StationHost
import StationTestSupport
import Testing

/// A Bitswap node on loopback serving `store`.
private func provider(_ store: BlockStore) async throws -> (Libp2pHost, Bitswap, Multiaddr) {
    let host = Libp2pHost(group: MultiThreadedEventLoopGroup.singleton)
    let address = try await host.listen(on: try Multiaddr("/ip4/127.0.0.1/tcp/0"))
    let bitswap = Bitswap(host: host, store: store)
    bitswap.start()
    return (host, bitswap, address)
}

/// ``ContentRouter``'s Bitswap lanes on real nodes: providers the DHT names one at a time share
/// one session.
@Suite(.serialized) struct ContentRouterSessionTests {
    @Test("providers found one by one through the DHT join one Bitswap session: the DAG is not sent once per provider")
    func providersShareOneSession() async throws {
        var folders: [URL] = []
        defer { for folder in folders { try? FileManager.default.removeItem(at: folder) } }
        // 64 leaves of 4 KiB under one root, held whole by both providers.
        let options = UnixFSImportOptions(chunkSize: 4096, cidVersion: 1, rawLeaves: true)
        let bytes = (0 ..< 64 * 4096).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13 ^ ($0 >> 12)) }
        var blocks: [Block] = []
        let root = try await UnixFSImporter(options: options).importFile(ArrayByteSource(bytes)) { blocks.append($0) }.cid
        var providers: [(Libp2pHost, Bitswap, Multiaddr)] = []
        for _ in 0 ..< 2 {
            let (store, folder) = try temporaryStore()
            folders.append(folder)
            for block in blocks { try store.put(block, module: "seed") }
            providers.append(try await provider(store))
        }

        // A DHT peer naming both providers for the root: the router gets them one at a time.
        let dhtPeer = Libp2pHost(group: MultiThreadedEventLoopGroup.singleton)
        let dhtAddress = try await dhtPeer.listen(on: try Multiaddr("/ip4/127.0.0.1/tcp/0")).encapsulate(.p2p(dhtPeer.peerID.multihash))
        let named = providers.map { KadMessage.Peer(id: $0.0.peerID, addresses: [$0.2]) }
        dhtPeer.setStreamHandler(protocol: KadDHT.lanProtocolID) { stream in
            guard let request = try? await KadDHT.readMessage(from: stream) else { return }
            let answer = KadMessage(type: request.type, key: request.key, providerPeers: request.key == root.multihash.bytes ? named : [])
            try? await stream.write(ProtobufWire.lengthPrefixed(answer.encoded))
            await stream.close()
        }

        let (store, folder) = try temporaryStore()
        folders.append(folder)
        let host = Libp2pHost(group: MultiThreadedEventLoopGroup.singleton)
        let bitswap = Bitswap(host: host, store: store)
        bitswap.start()
        let dht = KadDHT(host: host)
        #expect(await dht.bootstrap([dhtAddress], lookUpSelf: false) == 1)
        let router = ContentRouter(store: store, bitswap: bitswap, routing: nil, dht: dht,
                                   providerPolicy: try NetworkPolicy(allowing: ["*://127.0.0.1:*"]))
        let notes = Recorder<String>()
        let outcome = try await router.fetch(GatewayRequest(root: root, path: []), module: "m",
                                             observer: FetchObserver(note: { notes.append($0) }))
        #expect(outcome.source.hasPrefix("bitswap: providers from dht"), "\(outcome)")
        #expect(try await readAllBytes(store, root) == bytes)
        let statistics = bitswap.statistics
        #expect(statistics.blocksReceived == 65)
        // A session per provider had each send (nearly) all 65 blocks.
        #expect(statistics.unwantedBlocks < 16, "\(statistics.unwantedBlocks) duplicate blocks; notes: \(notes.all)")
        #expect(notes.all.contains { $0.contains("joined the running Bitswap session") }, "\(notes.all)")

        await bitswap.stop()
        await host.close()
        await dhtPeer.close()
        for (providerHost, providerBitswap, _) in providers {
            await providerBitswap.stop()
            await providerHost.close()
        }
    }
}

private func readAllBytes(_ store: BlockStore, _ root: CID) async throws -> [UInt8] {
    var out: [UInt8] = []
    try await UnixFSExporter(provider: store).read(root) { out += $0 }
    return out
}
