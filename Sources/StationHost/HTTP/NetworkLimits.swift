/// Caps and timeouts for one module's HTTP client. Every field has a default fit for a module
/// running unattended; see `docs/network-policy.md`.
public struct NetworkLimits: Sendable {
    /// Redirects followed per request before it fails with `io` (each hop re-checked by the policy).
    public var maxRedirects = 5
    /// Largest response body; a larger one fails the request with `too-large` (64 MiB).
    public var maxResponseBytes: Int = 64 << 20
    /// Requests of one module in flight at once; more wait their turn (their handles exist at once).
    public var maxConcurrentRequests = 64
    /// Connections to one host (per resolved address) at once.
    public var maxConnectionsPerHost = 16
    /// Response bytes per second for the whole module (a token bucket shared by its requests);
    /// `nil` for no limit.
    public var bytesPerSecond: Int? = nil
    /// Time to establish a TCP (and TLS) connection.
    public var connectTimeout: Duration = .seconds(10)
    /// Longest wait for the next bytes from the server (the response head, or more body) while the
    /// module is ready to take them.
    public var idleReadTimeout: Duration = .seconds(30)
    /// Deadline for a whole request, redirects and body included, when the module gives none.
    public var defaultRequestTimeout: Duration = .seconds(60)
    /// PEM files of extra certificate authorities trusted besides the system store.
    public var extraCAFiles: [String] = []
    /// Bytes of response body buffered per request before the runtime stops reading the socket.
    public var bodyBufferBytes = 256 << 10

    /// The defaults above.
    public init() {}
}
