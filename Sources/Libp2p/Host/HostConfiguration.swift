/// Caps the connection manager enforces.
public struct ConnectionLimits: Sendable {
    /// The most established connections at once.
    public var maxConnections: Int = 512
    /// The most connections to one peer.
    public var maxConnectionsPerPeer: Int = 4
    /// The most connections still in their handshake (both directions).
    public var maxPendingConnections: Int = 64

    /// Creates the default limits.
    public init() {}

    /// Creates limits with the given caps.
    public init(maxConnections: Int, maxConnectionsPerPeer: Int, maxPendingConnections: Int) {
        self.maxConnections = maxConnections
        self.maxConnectionsPerPeer = maxConnectionsPerPeer
        self.maxPendingConnections = maxPendingConnections
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
