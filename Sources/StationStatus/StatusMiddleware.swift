import Foundation
import Hummingbird
import NetworkAddresses

// The status API's checks, one Hummingbird router middleware each. `StatusAPI.router` stacks them
// in this order (outermost first): headers and errors, loopback `Host`, then the open dashboard
// page, then same-origin POST and the bearer token in front of every other route.

/// Outermost: adds the headers every answer carries (`Cache-Control: no-store`,
/// `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`) and turns what the router
/// throws into the API's JSON error bodies, so refusals and unknown routes look like every other
/// answer.
struct StatusHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Applied to the texts of error answers (they echo the request's path).
    let redact: SecretRedactor

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // The router's answer for a path (or path and method) it has no route for.
            response = StatusReply.error(.notFound, redact("no such endpoint: \(request.method) \(request.uri.path)"))
        } catch let error as HTTPError {
            response = StatusReply.error(error.status, redact(error.body ?? error.status.reasonPhrase))
        } catch {
            response = StatusReply.error(.internalServerError, redact("\(error)"))
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.cacheControl] = "no-store"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        return response
    }
}

/// Refuses (403) requests whose `Host` is not a loopback host (`127.x.x.x`, `localhost`,
/// `*.localhost`, `[::1]`, any port): the DNS-rebinding defence. A page on `evil.example` whose
/// name was made to resolve to 127.0.0.1 still sends `Host: evil.example`. The rule is
/// ``HostAuthority``'s, the one every listener of the project uses.
struct LoopbackHostMiddleware<Context: RequestContext>: RouterMiddleware {
    static var refusal: String {
        "the status API only answers requests addressed to a loopback host (Host: 127.0.0.1:PORT or localhost:PORT)"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authority = request.head.authority, (try? HostAuthority(parsing: authority))?.isLoopback == true else {
            return StatusReply.error(.forbidden, Self.refusal)
        }
        return try await next(request, context)
    }
}

/// Refuses (403) a `POST` that carries an `Origin` other than the server's own
/// (`http://` + the request's `Host`): a page elsewhere cannot make the browser act on the
/// daemon. POSTs without `Origin` (the CLI, curl) pass: they carry the token, which no foreign
/// page has.
struct SameOriginPostMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .post, let origin = request.headers[.origin] {
            guard let authority = request.head.authority, origin == "http://\(authority)" else {
                return StatusReply.error(.forbidden, "cross-origin request refused (Origin: \(origin))")
            }
        }
        return try await next(request, context)
    }
}

/// Refuses (401, `WWW-Authenticate: Bearer`) requests without `Authorization: Bearer TOKEN`,
/// comparing in constant time. With ``queryParameter`` set (only for `/metrics`, for scrapers
/// that cannot send headers) `?NAME=TOKEN` is accepted too when no `Authorization` is sent.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    static var refusal: String {
        "missing or wrong token: send Authorization: Bearer TOKEN; the token is in STATE/status.json"
    }

    private let token: [UInt8]
    /// The query parameter that may carry the token, if any.
    let queryParameter: String?

    init(token: String, queryParameter: String? = nil) {
        self.token = Array(token.utf8)
        self.queryParameter = queryParameter
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard authorized(request) else {
            var response = StatusReply.error(.unauthorized, Self.refusal)
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        return try await next(request, context)
    }

    /// Bearer header (or the query parameter where allowed), compared in constant time. A
    /// present but wrong header is not rescued by the query parameter.
    func authorized(_ request: Request) -> Bool {
        if let header = request.headers[.authorization] {
            let prefix = "bearer "
            guard header.count > prefix.count, header.lowercased().hasPrefix(prefix) else { return false }
            let presented = header.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
            return Self.constantTimeEqual(Array(presented.utf8), token)
        }
        if let queryParameter, let presented = request.uri.queryParameters[queryParameter[...]] {
            return Self.constantTimeEqual(Array(String(presented).utf8), token)
        }
        return false
    }

    /// Compares without an early exit, so timing does not reveal how much of a guess matched.
    /// An empty expected token matches nothing.
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
}
