import IPFS

/// One HTTP request as the gateway server hands it to a request handler.
public struct GatewayHTTPRequest: Sendable {
    /// The method ("GET", "HEAD", ...).
    public var method: String
    /// The request target as sent (`/ipfs/{cid}[/path]?query`).
    public var target: String
    /// The request headers, in order.
    public var headers: [(String, String)]

    /// Creates a request.
    public init(method: String, target: String, headers: [(String, String)]) {
        self.method = method
        self.target = target
        self.headers = headers
    }

    /// The first value of the header `name` (case-insensitive), or nil.
    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// What a request handler answers: a status, headers, and either a fixed body or a streamed one.
public struct GatewayHTTPReply: Sendable {
    /// Writes a streamed body into a sink, piece by piece; the sink waits while the peer is slow.
    public typealias BodyWriter = @Sendable (_ sink: @escaping ([UInt8]) async throws -> Void) async throws -> Void

    /// HTTP status code.
    public var status: Int
    /// Response headers (`Content-Length`, `Transfer-Encoding` and `Connection` are set by the server).
    public var headers: [(String, String)]
    /// A body whose length is known (sent with `Content-Length`).
    public var fixedBody: [UInt8]?
    /// A streamed body (sent chunked). If it throws, the connection is cut so the client sees an
    /// incomplete response instead of a short one that looks whole.
    public var streamedBody: BodyWriter?

    /// Creates a reply.
    public init(status: Int, headers: [(String, String)] = [], fixedBody: [UInt8]? = nil, streamedBody: BodyWriter? = nil) {
        self.status = status
        self.headers = headers
        self.fixedBody = fixedBody
        self.streamedBody = streamedBody
    }

    /// A plain-text reply (errors).
    public static func text(_ status: Int, _ message: String) -> GatewayHTTPReply {
        GatewayHTTPReply(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], fixedBody: Array((message + "\n").utf8))
    }

    /// The HTTP form of a transport-neutral gateway response.
    public init(_ response: GatewayResponse) {
        self.init(status: response.status, headers: response.headers)
        if let body = response.body {
            streamedBody = { sink in try await body(sink) }
        } else {
            fixedBody = Array(((response.message ?? "") + "\n").utf8)
        }
    }
}

/// Answers one gateway request.
public typealias GatewayHTTPHandler = @Sendable (GatewayHTTPRequest) async -> GatewayHTTPReply

extension GatewayResponder {
    /// This responder as an HTTP request handler: GET (and HEAD) of `/ipfs/{cid}[/path]` with the
    /// trustless gateway parameters; any other method is refused with 405.
    public var httpHandler: GatewayHTTPHandler {
        let responder = self
        return { request in
            guard request.method == "GET" || request.method == "HEAD" else {
                return .text(405, "only GET and HEAD are supported")
            }
            return GatewayHTTPReply(await responder.respond(target: request.target, accept: request.header("accept")))
        }
    }
}
