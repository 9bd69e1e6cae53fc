/// What a module asks for: one HTTP request.
public struct HTTPFetchRequest: Sendable {
    /// The method, e.g. `GET`, `POST` (an HTTP token; case is kept).
    public var method: String
    /// An absolute `http` or `https` URL.
    public var url: String
    /// Request headers in order. `Host`, `Content-Length`, `Transfer-Encoding`, `Connection` and
    /// `Upgrade` are set by the runtime and refused here.
    public var headers: [(String, String)]
    /// The request body (empty for none).
    public var body: [UInt8]
    /// Deadline for the whole exchange; `nil` (or a non-positive value) uses
    /// ``NetworkLimits/defaultRequestTimeout``.
    public var timeout: Duration?
    /// Whether the runtime follows redirects (the default, at most
    /// ``NetworkLimits/maxRedirects``); when false, a 3xx response is the response, its
    /// `Location` header readable (fetch's `redirect: 'manual'`).
    public var followRedirects: Bool

    public init(
        method: String = "GET", url: String, headers: [(String, String)] = [], body: [UInt8] = [], timeout: Duration? = nil,
        followRedirects: Bool = true
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.followRedirects = followRedirects
    }
}
