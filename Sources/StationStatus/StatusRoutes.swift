import Foundation
import Hummingbird
import Logging
import NIOCore
import NetworkAddresses

/// The body of `GET /api/v1/status`: the snapshot's own fields plus computed ones.
struct StatusDocument: Encodable {
    let snapshot: DaemonSnapshot
    let serverTime: Date

    private enum ExtraKeys: String, CodingKey {
        case jobsTotal
        case serverTime
    }

    func encode(to encoder: any Encoder) throws {
        try snapshot.encode(to: encoder)
        var extra = encoder.container(keyedBy: ExtraKeys.self)
        try extra.encode(snapshot.jobsTotal, forKey: .jobsTotal)
        try extra.encode(serverTime, forKey: .serverTime)
    }
}

/// `{"ok":true,"message":...}`
struct ActionReply: Codable, Sendable {
    var ok: Bool
    var message: String?
}

/// `{"error":"..."}`
struct ErrorReply: Codable, Sendable {
    var error: String
}

/// `{"cid":"..."}`
struct UpdateRequest: Codable, Sendable {
    var cid: String
}

/// The JSON coding the status API uses on both sides: ISO-8601 dates (whole seconds, UTC).
enum StatusJSON {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }
}

/// The status API as a Hummingbird router: the checks are router middleware
/// (``StatusHeadersMiddleware``, ``LoopbackHostMiddleware``, ``SameOriginPostMiddleware``,
/// ``BearerTokenMiddleware``) and each route of `docs/status-api.md` is a handler.
enum StatusAPI {
    /// The router ``StatusServer`` serves (and the tests drive in process).
    ///
    /// Middleware applies to the routes added after it, and the router's answer for an unknown
    /// path goes through all of it: so the dashboard page `GET /` needs a loopback `Host` only,
    /// while every other path (unknown ones too) is checked for origin and token before it is
    /// looked up.
    static func router(provider: any StatusProvider, token: String) -> Router<BasicRequestContext> {
        let redact = SecretRedactor(secret: token)
        let routes = StatusRoutes(provider: provider, redact: redact)
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: StatusHeadersMiddleware(redact: redact))
        router.add(middleware: LoopbackHostMiddleware())

        router.on("/", allowing: [.get, .head]) { _, _ in StatusReply.dashboard() }

        router.add(middleware: SameOriginPostMiddleware())
        // Only /metrics takes the token from the query too (for scrapers that cannot send headers).
        router.group()
            .add(middleware: BearerTokenMiddleware(token: token, queryParameter: "token"))
            .on("metrics", allowing: [.get], use: routes.metrics)
        router.add(middleware: BearerTokenMiddleware(token: token))
        router.on("api/v1/status", allowing: [.get], use: routes.status)
        router.on("api/v1/activity", allowing: [.get], use: routes.activity)
        router.on("api/v1/modules/{name}/restart", allowing: [.post], use: routes.restart)
        router.on("api/v1/modules/{name}/update", allowing: [.post], use: routes.update)
        return router
    }
}

extension RouterMethods {
    /// The methods a route answers `405` to when they are not among the ones it allows (the
    /// router itself would answer an unregistered method with `404`).
    static var standardMethods: [HTTPRequest.Method] {
        [.get, .head, .post, .put, .delete, .patch, .options, .trace, .connect]
    }

    /// Adds `handler` for each of `methods` at `path` and `405` with `Allow` for the other
    /// standard methods.
    @discardableResult
    func on(_ path: RouterPath, allowing methods: [HTTPRequest.Method], use handler: @Sendable @escaping (Request, Context) async throws -> Response) -> Self {
        let allowed = methods.filter { $0 != .head }.map(\.rawValue).joined(separator: ", ")
        for method in Self.standardMethods {
            if methods.contains(method) {
                on(path, method: method, use: handler)
            } else {
                on(path, method: method) { _, _ in StatusReply.methodNotAllowed(allowed) }
            }
        }
        return self
    }
}

/// The handlers of the status API's routes. Every text from the provider passes through
/// ``redact`` before it is served.
struct StatusRoutes: Sendable {
    let provider: any StatusProvider
    let redact: SecretRedactor

    /// `GET /metrics`
    func metrics(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let snapshot = redact(await provider.snapshot())
        var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: StatusMetrics.render(snapshot))))
        response.headers[.contentType] = StatusMetrics.contentType
        return response
    }

    /// `GET /api/v1/status`
    func status(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let snapshot = redact(await provider.snapshot())
        return StatusReply.json(.ok, StatusDocument(snapshot: snapshot, serverTime: Date()))
    }

    /// `GET /api/v1/activity?limit=N`
    func activity(_ request: Request, _ context: BasicRequestContext) async -> Response {
        var limit = 100
        if let raw = request.uri.queryParameters["limit"] {
            guard let value = Int(String(raw)), value >= 0 else {
                return StatusReply.error(.badRequest, "limit must be a whole number from 0 to 1000")
            }
            limit = min(value, 1000)
        }
        return StatusReply.json(.ok, redact(await provider.activity(limit: limit)))
    }

    /// `POST /api/v1/modules/{name}/restart`
    func restart(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let name = Self.moduleName(context)
        do {
            try await provider.restart(module: name)
            return StatusReply.json(.ok, ActionReply(ok: true, message: redact("restarting \(name)")))
        } catch {
            return StatusReply.actionError(error, redact)
        }
    }

    /// `POST /api/v1/modules/{name}/update` with `{"cid":"..."}` (at most 64 KiB).
    func update(_ request: Request, _ context: BasicRequestContext) async -> Response {
        let name = Self.moduleName(context)
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: StatusServer.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            return StatusReply.error(.contentTooLarge, "request body over \(StatusServer.maxBodyBytes / 1024) KiB")
        } catch {
            return StatusReply.error(.badRequest, "could not read the request body: \(error)")
        }
        let update: UpdateRequest
        do {
            update = try JSONDecoder().decode(UpdateRequest.self, from: Data(body.readableBytesView))
        } catch {
            return StatusReply.error(.badRequest, #"the body must be JSON like {"cid":"bafy..."}"#)
        }
        let cid = update.cid.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !cid.isEmpty else { return StatusReply.error(.badRequest, "cid is empty") }
        do {
            let message = try await provider.update(module: name, cid: cid)
            return StatusReply.json(.ok, ActionReply(ok: true, message: redact(message)))
        } catch {
            return StatusReply.actionError(error, redact)
        }
    }

    /// The `{name}` path segment, percent-decoded (clients encode `/`, spaces and non-ASCII).
    static func moduleName(_ context: BasicRequestContext) -> String {
        let raw = context.parameters.get("name") ?? ""
        return raw.removingPercentEncoding ?? raw
    }
}

/// The answers the status API builds.
enum StatusReply {
    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) -> Response {
        let data: Data
        do {
            data = try StatusJSON.encoder().encode(value)
        } catch {
            return Self.error(.internalServerError, "could not encode the answer: \(error)")
        }
        var response = Response(status: status, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        response.headers[.contentType] = "application/json; charset=utf-8"
        return response
    }

    /// `{"error":"..."}` with `status`.
    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        let data = (try? JSONEncoder().encode(ErrorReply(error: message))) ?? Data(#"{"error":"error"}"#.utf8)
        var response = Response(status: status, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        response.headers[.contentType] = "application/json; charset=utf-8"
        return response
    }

    static func methodNotAllowed(_ allowed: String) -> Response {
        var response = error(.methodNotAllowed, "use \(allowed) for this endpoint")
        response.headers[.allow] = allowed
        return response
    }

    /// A failed restart or update: ``StatusActionError`` picks the status.
    static func actionError(_ error: any Error, _ redact: SecretRedactor) -> Response {
        switch error {
        case StatusActionError.unknownModule:
            return Self.error(.notFound, redact("\(error)"))
        case StatusActionError.invalid(let message):
            return Self.error(.badRequest, redact(message))
        case StatusActionError.failed(let message):
            return Self.error(.badGateway, redact(message))
        default:
            return Self.error(.internalServerError, redact("\(error)"))
        }
    }

    /// The dashboard page with a fresh nonce for its inline script and style.
    static func dashboard() -> Response {
        let nonce = StatusToken.generate(byteCount: 16)
        let page = DashboardPage.html(nonce: nonce)
        var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: page)))
        response.headers[.contentType] = "text/html; charset=utf-8"
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; script-src 'nonce-\(nonce)'; style-src 'nonce-\(nonce)'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        response.headers[.init("X-Frame-Options")!] = "DENY"
        return response
    }
}
