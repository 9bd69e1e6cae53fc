import Foundation
import Libp2p
import Multiformats
import NIOPosix
import StationConfig
import Testing
@testable import StationDaemon

/// `[ipfs] dht-server`: the daemon's node answers DHT requests only when it is set.
@Suite("[ipfs] dht-server in the daemon", .serialized)
struct DHTServerSettingTests {
    @Test("dht-server = true: the node answers PING and FIND_NODE on the DHT protocols; off by default it refuses them")
    func answersOnlyWhenSet() async throws {
        for enabled in [false, true] {
            let harness = try TestDaemon()
            // A module by CID makes the daemon open the block store, and with it the content routing.
            let cid = try await ModuleByCIDTests.store(TestModules.worker(intervalMs: 100), in: harness)
            try harness.addModule("remote", wat: TestModules.trap) { $0.source = .cid(cid) }
            harness.configuration.ipfs.dhtServer = enabled
            let daemon = try await harness.start()
            let address = try Multiaddr(try #require(await daemon.snapshot().listenAddresses.first))
            let host = Libp2pHost(group: MultiThreadedEventLoopGroup.singleton)
            let connection = try await host.connect(to: address)
            if enabled {
                for protocolID in [KadDHT.lanProtocolID, KadDHT.protocolID] {
                    let stream = try await host.newStream(on: connection, protocols: [protocolID])
                    try await stream.write(ProtobufWire.lengthPrefixed(KadMessage(type: .ping, key: []).encoded))
                    #expect(try await KadDHT.readMessage(from: stream).type == .ping)
                    try await stream.write(ProtobufWire.lengthPrefixed(KadMessage(type: .findNode, key: connection.remotePeer.bytes).encoded))
                    let answer = try await KadDHT.readMessage(from: stream)
                    #expect(answer.closerPeers.map(\.id) == [connection.remotePeer], "FIND_NODE of its own ID names the node")
                    await stream.close()
                }
            } else {
                await #expect(throws: (any Error).self, "client mode by default: the protocol is not offered") {
                    _ = try await host.newStream(on: connection, protocols: [KadDHT.lanProtocolID, KadDHT.protocolID])
                }
            }
            await host.close()
            await harness.stop()
        }
    }
}
