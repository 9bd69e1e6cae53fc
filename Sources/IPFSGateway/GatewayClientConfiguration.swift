/// Time limits of a trustless gateway client; each applies to one gateway at a time.
public struct GatewayClientConfiguration: Sendable, Equatable {
    /// Longest wait for the TCP connection to a gateway.
    public var connectTimeout: Duration
    /// Longest time a gateway may go without sending a byte (before the head or within the body).
    public var idleTimeout: Duration
    /// Longest time one gateway may take for the whole response, body included; then the next
    /// gateway is tried.
    public var totalTimeout: Duration

    /// Creates a configuration (defaults: connect 10 s, idle 30 s, total 10 min).
    public init(connectTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(30), totalTimeout: Duration = .seconds(600)) {
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.totalTimeout = totalTimeout
    }
}
