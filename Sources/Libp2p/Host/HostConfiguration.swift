/// Caps the connection manager enforces.
///
/// The per-address caps apply to inbound connections and count by `RemoteIPKey` (one IPv4
/// address, or one IPv6 /64), loopback included, so one address cannot occupy every handshake
/// slot and lock other peers out of the listener (go-libp2p's resource manager and connection
/// limiter cap per address in the same way).
public struct ConnectionLimits: Sendable {
    /// The default `maxPendingConnectionsPerIP`.
    public static let defaultMaxPendingConnectionsPerIP = 8
    /// The default `maxInboundConnectionsPerIP`.
    public static let defaultMaxInboundConnectionsPerIP = 16

    /// The most established connections at once.
    public var maxConnections: Int = 512
    /// The most connections to one peer.
    public var maxConnectionsPerPeer: Int = 4
    /// The most connections still in their handshake (both directions).
    public var maxPendingConnections: Int = 64
    /// The most inbound connections from one remote address still in their handshake
    /// (default 8). Further connections from that address are closed as soon as they are accepted.
    public var maxPendingConnectionsPerIP: Int = defaultMaxPendingConnectionsPerIP
    /// The most inbound connections from one remote address, in their handshake and established
    /// together (default 16). Further connections from that address are closed as soon as they
    /// are accepted; other addresses are not affected.
    public var maxInboundConnectionsPerIP: Int = defaultMaxInboundConnectionsPerIP

    /// Creates the default limits.
    public init() {}

    /// Creates limits with the given caps.
    public init(
        maxConnections: Int, maxConnectionsPerPeer: Int, maxPendingConnections: Int,
        maxPendingConnectionsPerIP: Int = defaultMaxPendingConnectionsPerIP,
        maxInboundConnectionsPerIP: Int = defaultMaxInboundConnectionsPerIP
    ) {
        self.maxConnections = maxConnections
        self.maxConnectionsPerPeer = maxConnectionsPerPeer
        self.maxPendingConnections = maxPendingConnections
        self.maxPendingConnectionsPerIP = maxPendingConnectionsPerIP
        self.maxInboundConnectionsPerIP = maxInboundConnectionsPerIP
    }
}

/// Everything a `Host` can be tuned with.
public struct HostConfiguration: Sendable {
    /// Connection caps.
    public var limits = ConnectionLimits()
    /// Yamux settings (stream cap, receive window).
    public var yamux = YamuxConfiguration()
    /// Deadline for TCP connect plus the Noise and Yamux upgrade.
    public var handshakeTimeout: Duration = .seconds(10)
    /// How long an inbound connection may stay silent while its handshake runs (default 3 s):
    /// when no byte arrives for this long before the upgrade finishes, the connection is closed.
    /// A peer that keeps talking still has the whole `handshakeTimeout`; established connections
    /// may idle as long as they like.
    public var silentPeerTimeout: Duration = .seconds(3)
    /// How long the listener stops accepting after `accept` fails (for example with `EMFILE`
    /// when the process is out of file descriptors) instead of retrying at once in a busy loop.
    public var acceptBackoff: Duration = .seconds(1)
    /// Deadline for protocol negotiation on a new stream.
    public var negotiationTimeout: Duration = .seconds(10)
    /// The longest multistream-select line accepted.
    public var maxMultistreamLineLength = MultistreamCodec.defaultMaxLineLength
    /// Sent in identify.
    public var agentVersion = "station/0.1"
    /// Sent in identify.
    public var protocolVersion = "ipfs/0.1.0"
    /// Run identify on every new connection (fills the peer store).
    public var identifyOnConnect = true

    /// Creates the default configuration.
    public init() {}
}
