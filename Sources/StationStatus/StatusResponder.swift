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

/// Answers every request of the status server (one hand-written router: the API is small and
/// every route shares the same checks).
struct StatusResponder: HTTPResponder {
    typealias Context = BasicRequestContext


    let provider: any StatusProvider
    let token: [UInt8]
    /// Every text from the provider passes here before it is served.
    let redact: SecretRedactor
    let logger: Logger

    init(provider: any StatusProvider, token: String, logger: Logger) {
        self.provider = provider
        self.token = Array(token.utf8)
        self.redact = SecretRedactor(secret: token)
        self.logger = logger
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        var response = await route(request)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.cacheControl] = "no-store"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        return response
    }

    private func route(_ request: Request) async -> Response {
        // DNS rebinding: a page on evil.example resolving to 127.0.0.1 still sends its own Host.
        guard let authority = request.head.authority, (try? HostAuthority(parsing: authority))?.isLoopback == true else {
            return Self.error(.forbidden, "the status API only answers requests addressed to a loopback host (Host: 127.0.0.1:PORT or localhost:PORT)")
        }
        let path = request.uri.path
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)

        if segments.isEmpty {
            guard request.method == .get || request.method == .head else { return Self.methodNotAllowed("GET") }
            return Self.dashboard()
        }

        if request.method == .post, let origin = request.headers[.origin] {
            guard origin == "http://\(authority)" else {
                return Self.error(.forbidden, "cross-origin request refused (Origin: \(origin))")
            }
        }

        let allowQueryToken = segments == ["metrics"]
        guard authorized(request, allowQueryToken: allowQueryToken) else {
            var response = Self.error(.unauthorized, "missing or wrong token: send Authorization: Bearer TOKEN; the token is in STATE/status.json")
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }

        switch segments {
        case ["metrics"]:
            guard request.method == .get else { return Self.methodNotAllowed("GET") }
            let snapshot = redact(await provider.snapshot())
            var response = Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: StatusMetrics.render(snapshot))))
            response.headers[.contentType] = StatusMetrics.contentType
            return response

        case ["api", "v1", "status"]:
            guard request.method == .get else { return Self.methodNotAllowed("GET") }
            let snapshot = redact(await provider.snapshot())
            return Self.json(.ok, StatusDocument(snapshot: snapshot, serverTime: Date()))

        case ["api", "v1", "activity"]:
            guard request.method == .get else { return Self.methodNotAllowed("GET") }
            var limit = 100
            if let raw = request.uri.queryParameters["limit"] {
                guard let value = Int(String(raw)), value >= 0 else {
                    return Self.error(.badRequest, "limit must be a whole number from 0 to 1000")
                }
                limit = min(value, 1000)
            }
            return Self.json(.ok, redact(await provider.activity(limit: limit)))

        default:
            break
        }

        if segments.count == 5, segments[0] == "api", segments[1] == "v1", segments[2] == "modules" {
            let name = segments[3].removingPercentEncoding ?? segments[3]
            switch segments[4] {
            case "restart":
                guard request.method == .post else { return Self.methodNotAllowed("POST") }
                do {
                    try await provider.restart(module: name)
                    return Self.json(.ok, ActionReply(ok: true, message: "restarting \(name)"))
                } catch {
                    return Self.actionError(error, redact)
                }
            case "update":
                guard request.method == .post else { return Self.methodNotAllowed("POST") }
                var request = request
                let body: ByteBuffer
                do {
                    body = try await request.collectBody(upTo: StatusServer.maxBodyBytes)
                } catch is NIOTooManyBytesError {
                    return Self.error(.contentTooLarge, "request body over \(StatusServer.maxBodyBytes / 1024) KiB")
                } catch {
                    return Self.error(.badRequest, "could not read the request body: \(error)")
                }
                let update: UpdateRequest
                do {
                    update = try JSONDecoder().decode(UpdateRequest.self, from: Data(body.readableBytesView))
                } catch {
                    return Self.error(.badRequest, #"the body must be JSON like {"cid":"bafy..."}"#)
                }
                let cid = update.cid.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !cid.isEmpty else { return Self.error(.badRequest, "cid is empty") }
                do {
                    let message = try await provider.update(module: name, cid: cid)
                    return Self.json(.ok, ActionReply(ok: true, message: redact(message)))
                } catch {
                    return Self.actionError(error, redact)
                }
            default:
                break
            }
        }
        return Self.error(.notFound, "no such endpoint: \(request.method) \(path)")
    }

    /// Bearer header (or `?token=` where allowed), compared in constant time.
    private func authorized(_ request: Request, allowQueryToken: Bool) -> Bool {
        if let header = request.headers[.authorization] {
            let prefix = "bearer "
            guard header.count > prefix.count, header.lowercased().hasPrefix(prefix) else { return false }
            let presented = header.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
            return Self.constantTimeEqual(Array(presented.utf8), token)
        }
        if allowQueryToken, let presented = request.uri.queryParameters["token"] {
            return Self.constantTimeEqual(Array(String(presented).utf8), token)
        }
        return false
    }

    /// Compares without an early exit, so timing does not reveal how much of a guess matched.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        difference |= a.count == b.count ? 0 : 1
        let count = max(a.count, b.count)
        for index in 0..<count {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0 && !b.isEmpty
    }

    // MARK: - Responses

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
