import Foundation
import ListenerSupport
import Multiformats
import NIOCore
import NIOPosix
import StationTestSupport
import Testing
@testable import Libp2p

/// One address must not be able to lock other peers out of the listener: per-address caps on
/// inbound handshakes and connections, a short deadline for silent peers, and accept back-off.
///
/// Loopback is the only network here, so hostile clients bind 127.0.0.2 or 127.0.0.3 as their
/// source (all of 127.0.0.0/8 is loopback on Linux) while the good peer dials from 127.0.0.1.
/// The deadlines below only keep a broken build from hanging; nothing asserts on timing.
@Suite struct ListenerLockoutTests {
    /// The lock-out: a holder opens more idle connections than there are handshake slots.
    @Test func hostileHolderDoesNotLockOutAGoodPeer() async throws {
        var configuration = HostConfiguration()
        configuration.limits.maxPendingConnections = 4
        configuration.limits.maxPendingConnectionsPerIP = 2
        // Long deadlines: only the per-address cap may save the good peer here.
        configuration.handshakeTimeout = .seconds(300)
        configuration.silentPeerTimeout = .seconds(300)
        let (server, address) = try await TestHosts.listeningHost(configuration: configuration)
        let holder = try await SilentHolder(count: 12, to: address, from: "127.0.0.2")
        // Every holder connection is either in a handshake slot or closed by the server.
        try await waitUntil(30, "server accepts all the holder's connections") { holder.closedCount + server.pendingCount == 12 }
        // The server keeps two handshakes from 127.0.0.2 and closed the rest as it accepted them.
        #expect(server.pendingCount == 2)

        let client = Libp2pHost(group: TestHosts.group)
        let times = try await withDeadline(60, "good peer pings while the holder holds") {
            let connection = try await client.connect(to: address)
            return try await client.ping(connection, count: 2)
        }
        #expect(times.count == 2)
        // The holder still holds its two slots: the cap, not a timeout, let the good peer in.
        #expect(holder.openCount == 2)
        #expect(holder.closedCount == 10)
        await holder.close()
        await client.close()
        await server.close()
    }

    /// The same lock-out with the default caps and a holder bigger than the 64 handshake slots.
    @Test func hostileHolderWithDefaultLimits() async throws {
        var configuration = HostConfiguration()
        configuration.handshakeTimeout = .seconds(300)
        configuration.silentPeerTimeout = .seconds(300)
        let (server, address) = try await TestHosts.listeningHost(configuration: configuration)
        let holder = try await SilentHolder(count: 80, to: address, from: "127.0.0.2")
        let allowed = ConnectionLimits.defaultMaxPendingConnectionsPerIP
        try await waitUntil(60, "server accepts all the holder's connections") { holder.closedCount + server.pendingCount == 80 }
        #expect(server.pendingCount == allowed)

        let client = Libp2pHost(group: TestHosts.group)
        let times = try await withDeadline(60, "good peer pings while the holder holds") {
            try await client.ping(try await client.connect(to: address), count: 1)
        }
        #expect(times.count == 1)
        #expect(holder.openCount == allowed)
        await holder.close()
        await client.close()
        await server.close()
    }

    /// Connections that never speak (or stop speaking) during the handshake are closed after the
    /// silent-peer timeout, long before the handshake deadline.
    @Test func silentPeersAreClosed() async throws {
        var configuration = HostConfiguration()
        configuration.handshakeTimeout = .seconds(300)
        configuration.silentPeerTimeout = .milliseconds(300)
        let (server, address) = try await TestHosts.listeningHost(configuration: configuration)
        let holder = try await SilentHolder(count: 3, to: address, from: "127.0.0.2")
        // A peer that starts the multistream header and then stalls.
        let staller = try await RawPeer(connectingTo: address, from: "127.0.0.3")
        try? await staller.send([19] + Array("/multi".utf8))
        try await waitUntil(60, "server closes the silent connections") { holder.closedCount == 3 }
        try await withDeadline(60, "server closes the stalled handshake") { try await staller.waitForClose() }
        #expect(staller.closedByRemote)
        try await waitUntil(30, "handshake slots are released") { server.pendingCount == 0 }
        await holder.close()
        await staller.close()
        await server.close()
    }

    /// The silence deadline covers the handshake only: an established connection may idle.
    @Test func establishedConnectionsMayIdle() async throws {
        var configuration = HostConfiguration()
        configuration.silentPeerTimeout = .milliseconds(500)
        configuration.identifyOnConnect = false
        // Loops of their own: other tests cannot stall this handshake into looking silent.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let (server, address) = try await TestHosts.listeningHost(configuration: configuration, group: group)
        let client = Libp2pHost(group: group, configuration: configuration)
        let connection = try await client.connect(to: address)
        try await waitUntil(30, "server registers the connection") { server.allConnections.count == 1 }
        // Idle for several silence periods.
        try await Task.sleep(for: .seconds(3))
        #expect(connection.isActive)
        #expect(server.allConnections.count == 1)
        let times = try await withDeadline(60, "ping after idling") { try await client.ping(connection, count: 1) }
        #expect(times.count == 1)
        await client.close()
        await server.close()
        try await group.shutdownGracefully()
    }

    /// The established cap refuses a third connection from one address and nobody else.
    @Test func inboundPerAddressCapRefusesOnlyThatAddress() async throws {
        var configuration = HostConfiguration()
        configuration.limits.maxInboundConnectionsPerIP = 2
        configuration.handshakeTimeout = .seconds(300)
        configuration.silentPeerTimeout = .seconds(300)
        configuration.identifyOnConnect = false
        let (server, address) = try await TestHosts.listeningHost(configuration: configuration)
        var peers: [RawPeer] = []
        for _ in 0 ..< 2 {
            let peer = try await RawPeer(connectingTo: address, from: "127.0.0.2")
            try await withDeadline(60, "upgrade from 127.0.0.2") {
                try await peer.secure()
                try await peer.negotiateYamux()
            }
            peers.append(peer)
        }
        try await waitUntil(30, "server holds two connections") { server.allConnections.count == 2 }

        // The kernel may complete the TCP connect, but the server closes it unanswered.
        let third = try? await RawPeer(connectingTo: address, from: "127.0.0.2")
        if let third {
            await #expect(throws: (any Error).self) {
                try await withDeadline(60, "third connection from 127.0.0.2") { try await third.secure() }
            }
            await third.close()
        }

        // Another address is not affected.
        let other = try await RawPeer(connectingTo: address, from: "127.0.0.3")
        try await withDeadline(60, "upgrade from 127.0.0.3") {
            try await other.secure()
            try await other.negotiateYamux()
        }
        let client = Libp2pHost(group: TestHosts.group)
        let times = try await withDeadline(60, "ping from 127.0.0.1") {
            try await client.ping(try await client.connect(to: address), count: 1)
        }
        #expect(times.count == 1)
        try await waitUntil(30, "server holds four connections") { server.allConnections.count == 4 }

        // Closing one of the first two frees a place for 127.0.0.2 again.
        await peers[0].close()
        try await waitUntil(30, "server drops the closed connection") { server.allConnections.count == 3 }
        let again = try await RawPeer(connectingTo: address, from: "127.0.0.2")
        try await withDeadline(60, "upgrade from 127.0.0.2 after a close") {
            try await again.secure()
            try await again.negotiateYamux()
        }
        for peer in peers + [other, again] { await peer.close() }
        await client.close()
        await server.close()
    }

    /// What the per-address caps count by.
    @Test func perAddressKeys() throws {
        let v4 = try #require(RemoteIPKey(try SocketAddress(ipAddress: "192.0.2.7", port: 4001)))
        #expect(v4 == RemoteIPKey(try SocketAddress(ipAddress: "192.0.2.7", port: 9)))
        #expect(v4 != RemoteIPKey(try SocketAddress(ipAddress: "192.0.2.8", port: 4001)))
        #expect(v4.description == "192.0.2.7")
        // IPv6 counts per /64: one host usually owns the whole prefix.
        let v6 = try #require(RemoteIPKey(try SocketAddress(ipAddress: "2001:db8:0:1::5", port: 1)))
        #expect(v6 == RemoteIPKey(try SocketAddress(ipAddress: "2001:db8:0:1:ffff::9", port: 2)))
        #expect(v6 != RemoteIPKey(try SocketAddress(ipAddress: "2001:db8:0:2::5", port: 1)))
        #expect(v6.description == "2001:db8:0:1::/64")
        // An IPv4-mapped IPv6 address is the IPv4 address.
        #expect(RemoteIPKey(try SocketAddress(ipAddress: "::ffff:192.0.2.7", port: 1)) == v4)
    }

    /// A failing accept (EMFILE when out of descriptors) pauses the listener instead of spinning.
    @Test func acceptErrorsBackOff() async throws {
        var configuration = HostConfiguration()
        configuration.acceptBackoff = .milliseconds(200)
        let (server, address) = try await TestHosts.listeningHost(configuration: configuration)
        let listener = try #require(server.state.withLock { $0.listeners.first })
        // The listener has the accept back-off (NIO's plain ServerBootstrap.bind adds none) ...
        let hasBackoff = try await listener.eventLoop.submit {
            (try? listener.pipeline.syncOperations.handler(type: AcceptPauseHandler.self)) != nil
        }.get()
        #expect(hasBackoff)
        // ... which counts an accept error the way the accept loop reports it and turns reading
        // off, so the event loop stops retrying accept (NIO's AcceptBackoffHandler does not: the
        // channel keeps its read pending and the socket registered).
        // Fired and read in one event-loop turn, so the back-off cannot have ended in between.
        let readingAfterError = try await listener.eventLoop.submit {
            listener.pipeline.fireErrorCaught(IOError(errnoCode: EMFILE, reason: "accept(descriptor:)"))
            return try listener.syncOptions?.getOption(ChannelOptions.autoRead)
        }.get()
        #expect(readingAfterError == false)
        try await waitUntil(30, "the error reaches the back-off") { server.state.withLock { $0.acceptErrors } == 1 }
        #expect(listener.isActive)
        // After the pause the listener accepts again.
        let client = Libp2pHost(group: TestHosts.group)
        let times = try await withDeadline(60, "ping after the back-off") {
            try await client.ping(try await client.connect(to: address), count: 1)
        }
        #expect(times.count == 1)
        await client.close()
        await server.close()
    }
}
