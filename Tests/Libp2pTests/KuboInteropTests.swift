import Foundation
import Multiformats
import NIOCore
import StationTestSupport
import Testing
@testable import Libp2p

/// Interop with kubo v0.22.0 (go-libp2p 0.29, RSA identity) over loopback, both directions.
@Suite(.serialized) struct KuboInteropTests {
    /// Starts kubo on a fresh repo; `stopKubo` kills it and deletes the repo.
    private func startKubo() async throws -> (PythonPeer, Multiaddr) {
        let repo = FileManager.default.temporaryDirectory.appendingPathComponent("station-kubo-\(UInt64.random(in: 0 ... .max))")
        let kubo = try PythonPeer([repo.path], script: "kubo_peer.py")
        kubo.onStop = { try? FileManager.default.removeItem(at: repo) }
        let line = try await kubo.nextLine(within: 120)
        return (kubo, try Multiaddr(line))
    }

    @Test func swiftDialsKuboIdentifyAndPing() async throws {
        let (kubo, address) = try await startKubo()
        defer { kubo.stop() }
        let host = Libp2pHost(group: TestHosts.group)
        let connection = try await withDeadline(60, "connect to kubo") { try await host.connect(to: address) }
        #expect(connection.remotePublicKey.type == .rsa)
        #expect(connection.remotePeer.description.hasPrefix("Qm"))

        let identify = try await withDeadline(60, "identify kubo") { try await host.identify(connection) }
        #expect(identify.agentVersion?.hasPrefix("kubo/0.22.0") == true)
        for expected in [Identify.protocolID, Identify.pushProtocolID, Ping.protocolID, "/ipfs/bitswap/1.2.0"] {
            #expect(identify.protocols.contains(expected), "kubo should list \(expected)")
        }
        #expect(identify.listenAddresses.contains(address.withoutPeerID))

        let times = try await withDeadline(60, "ping kubo") { try await host.ping(connection, count: 3) }
        #expect(times.count == 3)
        await host.close()
    }

    @Test func kuboDialsSwift() async throws {
        let (kubo, _) = try await startKubo()
        defer { kubo.stop() }
        let (server, address) = try await TestHosts.listeningHost()
        try kubo.send("connect \(address)")
        let result = try await kubo.nextJSON(within: 60)
        #expect(result["connected"] as? Bool == true)
        try await waitUntil(30, "kubo connection registered") { !server.allConnections.isEmpty }
        let connection = try #require(server.allConnections.first)
        #expect(connection.direction == .inbound)
        #expect(connection.remotePublicKey.type == .rsa)
        // Identify over the inbound connection: the peer store learns kubo's protocols.
        let identify = try await withDeadline(60, "identify kubo") { try await server.identify(connection) }
        #expect(identify.protocols.contains(Ping.protocolID))
        let times = try await withDeadline(60, "ping kubo") { try await server.ping(connection, count: 2) }
        #expect(times.count == 2)
        try kubo.send("peers")
        let peers = try await kubo.nextJSON(within: 30)["peers"] as? [String] ?? []
        #expect(peers.contains(server.peerID.description))
        await server.close()
    }
}
