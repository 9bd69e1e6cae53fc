import Crypto
import Multiformats
import NIOCore
import StationTestSupport
import Testing
@testable import Libp2p

@Suite struct Libp2pHostTests {
    @Test func echoOverNoiseAndYamux() async throws {
        let (server, address) = try await TestHosts.listeningHost()
        let client = Libp2pHost(group: TestHosts.group)
        let stream = try await client.newStream(to: address, protocol: TestHosts.echoProtocol)
        #expect(stream.protocolID == TestHosts.echoProtocol)
        #expect(stream.remotePeer == server.peerID)
        let reply = try await withDeadline(20, "echo") { try await TestHosts.echoRoundTrip(stream, payload: Array("hello libp2p".utf8)) }
        #expect(String(decoding: reply, as: UTF8.self) == "hello libp2p")
        await client.close()
        await server.close()
    }

    @Test func pingAndIdentifyFillThePeerStore() async throws {
        let (server, address) = try await TestHosts.listeningHost()
        let client = Libp2pHost(group: TestHosts.group)
        let connection = try await client.connect(to: address)
        let times = try await client.ping(connection, count: 3)
        #expect(times.count == 3)
        let message = try await client.identify(connection)
        #expect(message.protocols.contains(TestHosts.echoProtocol))
        #expect(message.protocols.contains(Ping.protocolID))
        #expect(message.publicKey == server.identity.publicKey)
        #expect(message.observedAddress != nil)
        let record = try #require(client.peerStore.record(for: server.peerID))
        #expect(record.protocols.contains(Identify.protocolID))
        #expect(record.addresses.contains(address.withoutPeerID))
        #expect(try await connection.muxerPing() >= .zero)
        await client.close()
        await server.close()
    }

    @Test func identifyPushUpdatesTheRemotePeerStore() async throws {
        // The server does not identify on its own, so only the push can teach it.
        var configuration = HostConfiguration()
        configuration.identifyOnConnect = false
        let (server, address) = try await TestHosts.listeningHost(configuration: configuration)
        let client = Libp2pHost(group: TestHosts.group)
        _ = try await client.connect(to: address)
        client.setStreamHandler(protocol: "/station-test/late/1.0.0") { stream in await stream.close() }
        await client.pushIdentify()
        try await waitUntil(20, "server learns the pushed protocol") {
            server.peerStore.record(for: client.peerID)?.protocols.contains("/station-test/late/1.0.0") == true
        }
        #expect(server.peerStore.record(for: client.peerID)?.agentVersion == HostConfiguration().agentVersion)
        await client.close()
        await server.close()
    }

    @Test func sixteenMebibytesRoundTrip() async throws {
        let (server, address) = try await TestHosts.listeningHost()
        let client = Libp2pHost(group: TestHosts.group)
        let payload = (0 ..< 16 * 1024 * 1024).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
        let stream = try await client.newStream(to: address, protocol: TestHosts.echoProtocol)
        let reply = try await withDeadline(120, "16 MiB echo") { try await TestHosts.echoRoundTrip(stream, payload: payload) }
        #expect(reply.count == payload.count)
        #expect(SHA256.hash(data: reply) == SHA256.hash(data: payload))
        await client.close()
        await server.close()
    }

    @Test func hundredConcurrentStreamsOnOneConnection() async throws {
        let (server, address) = try await TestHosts.listeningHost()
        let client = Libp2pHost(group: TestHosts.group)
        let connection = try await client.connect(to: address)
        let matches = try await withDeadline(60, "100 streams") {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0 ..< 100 {
                    group.addTask {
                        let stream = try await client.newStream(on: connection, protocols: [TestHosts.echoProtocol])
                        let payload = Array("stream \(index) ".utf8) + [UInt8](repeating: UInt8(index), count: 1000)
                        return try await TestHosts.echoRoundTrip(stream, payload: payload) == payload
                    }
                }
                var count = 0
                for try await match in group where match { count += 1 }
                return count
            }
        }
        #expect(matches == 100)
        #expect(client.allConnections.count == 1)
        await client.close()
        await server.close()
    }

    @Test func dialWithWrongPeerIDFailsAndCloses() async throws {
        let (server, address) = try await TestHosts.listeningHost()
        let client = Libp2pHost(group: TestHosts.group)
        let impostor = PrivateKey().peerID
        let wrong = address.withoutPeerID.encapsulate(Multiaddr.Component.p2p(impostor.multihash))
        await #expect(throws: Libp2pError.peerIDMismatch(expected: impostor.description, actual: server.peerID.description)) {
            _ = try await client.connect(to: wrong)
        }
        #expect(client.allConnections.isEmpty)
        try await waitUntil(10, "server drops the rejected connection") { server.allConnections.isEmpty }
        await client.close()
        await server.close()
    }

    @Test func unsupportedProtocolIsRefused() async throws {
        let (server, address) = try await TestHosts.listeningHost()
        let client = Libp2pHost(group: TestHosts.group)
        await #expect(throws: Libp2pError.protocolNotSupported(["/nope/1.0.0"])) {
            _ = try await client.newStream(to: address, protocol: "/nope/1.0.0")
        }
        // The connection survives a refused stream.
        let stream = try await client.newStream(to: address, protocol: TestHosts.echoProtocol)
        #expect(try await TestHosts.echoRoundTrip(stream, payload: [1, 2, 3]) == [1, 2, 3])
        await client.close()
        await server.close()
    }

    @Test func perPeerConnectionCapIsEnforced() async throws {
        var configuration = HostConfiguration()
        configuration.limits.maxConnectionsPerPeer = 1
        let (server, address) = try await TestHosts.listeningHost(configuration: configuration)
        let client = Libp2pHost(group: TestHosts.group, configuration: configuration)
        _ = try await client.connect(to: address)
        // Without /p2p the host cannot reuse the connection, so it dials again and its own cap refuses.
        await #expect(throws: Libp2pError.self) { _ = try await client.connect(to: address.withoutPeerID) }
        #expect(client.allConnections.count == 1)
        try await waitUntil(10, "server keeps one connection") { server.allConnections.count == 1 }
        await client.close()
        await server.close()
    }

    @Test func pendingCapRefusesDials() async throws {
        var configuration = HostConfiguration()
        configuration.limits.maxPendingConnections = 0
        let (server, address) = try await TestHosts.listeningHost()
        let client = Libp2pHost(group: TestHosts.group, configuration: configuration)
        await #expect(throws: Libp2pError.connectionLimit("too many pending or open connections")) {
            _ = try await client.connect(to: address)
        }
        await server.close()
    }
}
