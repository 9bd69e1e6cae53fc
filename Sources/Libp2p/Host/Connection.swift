import NIOCore

/// An upgraded libp2p connection (TCP + Noise + Yamux) to one authenticated peer.
public final class Connection: Sendable, Hashable, CustomStringConvertible {
    /// Who dialled.
    public enum Direction: Sendable {
        /// We dialled the remote.
        case outbound
        /// The remote dialled us.
        case inbound
    }

    let channel: Channel
    let session: YamuxSession

    /// The remote peer (authenticated by the Noise handshake).
    public let remotePeer: PeerID
    /// The remote's identity key.
    public let remotePublicKey: PublicKey
    /// Who dialled.
    public let direction: Direction
    /// The remote socket address.
    public let remoteSocketAddress: SocketAddress?
    /// Our socket address.
    public let localSocketAddress: SocketAddress?

    init(channel: Channel, session: YamuxSession, secured: NoiseSecuredEvent, direction: Direction) {
        self.channel = channel
        self.session = session
        remotePeer = secured.remotePeer
        remotePublicKey = secured.remoteKey
        self.direction = direction
        remoteSocketAddress = channel.remoteAddress
        localSocketAddress = channel.localAddress
    }

    /// The event loop the connection lives on.
    public var eventLoop: EventLoop { channel.eventLoop }

    /// True until the connection closes.
    public var isActive: Bool { channel.isActive }

    /// Completes when the connection has closed.
    public var closeFuture: EventLoopFuture<Void> { channel.closeFuture }

    /// Opens a raw stream (no protocol negotiation; see `Host.newStream` for that).
    public func openRawStream() async throws -> Libp2pStream {
        let session = self.session
        let core = try await channel.eventLoop.submit { try session.openStream() }.get()
        return Libp2pStream(core: core, connection: self)
    }

    /// The number of streams open on the connection.
    public func streamCount() async throws -> Int {
        let session = self.session
        return try await channel.eventLoop.submit { session.streamCount }.get()
    }

    /// Sends a Yamux session ping and returns the round-trip time.
    public func muxerPing() async throws -> Duration {
        let session = self.session
        let clock = ContinuousClock()
        let start = clock.now
        let loop = channel.eventLoop
        try await loop.flatSubmit { () -> EventLoopFuture<Void> in
            session.ping() ?? loop.makeFailedFuture(Libp2pError.connectionClosed)
        }.get()
        return clock.now - start
    }

    /// Sends GoAway and closes the connection.
    public func close() async {
        let session = self.session
        channel.eventLoop.execute { session.shutdown() }
        _ = try? await channel.closeFuture.get()
    }

    /// Closes the socket abruptly, without GoAway.
    public func abort() {
        channel.close(promise: nil)
    }

    public static func == (lhs: Connection, rhs: Connection) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

    /// "peer via address (direction)".
    public var description: String {
        "\(remotePeer) via \(remoteSocketAddress.map { "\($0)" } ?? "?") (\(direction))"
    }
}
