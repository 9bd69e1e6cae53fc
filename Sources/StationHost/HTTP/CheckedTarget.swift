/// A URL the policy admitted before any I/O: where to connect and which addresses may be used.
public struct CheckedTarget: Sendable, Equatable {
    /// `http` or `https`.
    public var scheme: String
    /// The normalised host (a lower-case name, or an IP address in canonical form).
    public var host: NormalizedHost
    /// The port to connect to (the scheme's default when the URL has none).
    public var port: Int
    /// Whether a pattern explicitly named this host as a private or local target: the host is an
    /// IP literal outside the public internet named by a pattern, or `localhost` named by a pattern
    /// (then loopback addresses are accepted after resolution).
    public var privateAddressesAllowed: Bool
    /// The URL as the module wrote it (for messages).
    public var originalURL: String
    /// The parsed URL.
    var url: RequestURL

    /// The URL sent on the wire: rebuilt from the normalised parts.
    public var normalizedURL: String { url.normalized }
    /// `scheme://host[:port]`, for messages and `--allow-net` hints.
    public var origin: String { url.origin }
}
