import Multiformats
import NIOCore
import StationTestSupport
import Testing
@testable import Libp2p

/// Hostile peers against the connection upgrade (multistream-select for /noise, Noise XX).
@Suite struct NoiseSecurityHandlerTests {
    /// The raw peer works in a test task, which a loaded machine may not run for seconds: a
    /// generous silence deadline keeps the server from closing it as silent mid-handshake.
    static var patient: HostConfiguration {
        var configuration = HostConfiguration()
        configuration.silentPeerTimeout = .seconds(60)
        configuration.handshakeTimeout = .seconds(60)
        return configuration
    }

    @Test func tooLongMultistreamLineClosesTheConnection() async throws {
        let (server, address) = try await TestHosts.listeningHost(configuration: Self.patient)
        let peer = try await RawPeer(connectingTo: address)
        // A varint length of 5000 followed by junk.
        try await peer.send([0x88, 0x27] + [UInt8](repeating: 0x41, count: 100))
        try await withDeadline(20, "server closes after a too-long line") { try await peer.waitForClose() }
        #expect(peer.closedByRemote)
        #expect(server.allConnections.isEmpty)
        await server.close()
    }

    @Test func neverEndingLineHitsTheHandshakeDeadline() async throws {
        var configuration = HostConfiguration()
        configuration.handshakeTimeout = .milliseconds(500)
        let (server, address) = try await TestHosts.listeningHost(configuration: configuration)
        let peer = try await RawPeer(connectingTo: address)
        // Announce a 19-byte header but send only part of it, then stall. On a slow machine the
        // deadline may already have closed the socket, making the send itself fail.
        try? await peer.send([19] + Array("/multistream".utf8))
        try await withDeadline(20, "server gives up on the stalled handshake") { try await peer.waitForClose() }
        #expect(peer.closedByRemote)
        await server.close()
    }

    @Test func badNoiseSignatureIsRejected() async throws {
        let (server, address) = try await TestHosts.listeningHost(configuration: Self.patient)
        let peer = try await RawPeer(connectingTo: address)
        let remote = try await peer.secure { payload in payload.identitySignature[5] ^= 0x40 }
        #expect(remote == server.peerID)
        try await withDeadline(20, "server closes after a bad signature") { try await peer.waitForClose() }
        #expect(peer.closedByRemote)
        #expect(server.allConnections.isEmpty)
        await server.close()
    }

    @Test func payloadSignedByAnotherKeyIsRejected() async throws {
        let (server, address) = try await TestHosts.listeningHost(configuration: Self.patient)
        let peer = try await RawPeer(connectingTo: address)
        let other = PrivateKey()
        // Claim identity A but sign with key B.
        try await peer.secure { payload in payload.identityKey = other.publicKey.protobufBytes }
        try await withDeadline(20, "server closes after a mismatched key") { try await peer.waitForClose() }
        #expect(peer.closedByRemote)
        await server.close()
    }

    @Test func honestRawPeerIsAccepted() async throws {
        let (server, address) = try await TestHosts.listeningHost(configuration: Self.patient)
        let peer = try await RawPeer(connectingTo: address)
        let identity = PrivateKey()
        try await peer.secure(identity: identity)
        try await peer.negotiateYamux()
        try await peer.sendFrame(YamuxFrame(type: .ping, flags: .syn, streamID: 0, length: 77))
        var pong: YamuxFrame?
        while let frame = try await withDeadline(20, "ping reply", { () async throws -> YamuxFrame? in try await peer.readFrame() }) {
            // The server also pings once on its own (to measure the round trip): skip that SYN.
            if frame.type == .ping, !frame.flags.contains(.syn) { pong = frame; break }
        }
        #expect(pong?.flags == .ack)
        #expect(pong?.length == 77)
        try await waitUntil(10, "server registers the raw peer") { !server.connections(to: identity.peerID).isEmpty }
        await peer.close()
        await server.close()
    }
}
