import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import StationStatus

// In-process tests of the status API's Hummingbird router and each of its middleware, through
// HummingbirdTesting's `.router` mode (no sockets). StatusServerTests keeps the same behaviour
// covered end to end over real HTTP.

/// The router test mode always sends `localhost` as the request's authority (its `Host`). This
/// test-only middleware, put in front of the one under test, replaces it with the value of the
/// `X-Test-Authority` header (`-` for a request without `Host`), as a real `Host` header would.
struct TestAuthorityMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authority = request.headers[.init("X-Test-Authority")!] else { return try await next(request, context) }
        var head = request.head
        head.authority = authority == "-" ? nil : authority
        return try await next(Request(head: head, body: request.body), context)
    }
}

/// A router with `middleware` in front of routes that answer `204` (`GET /` and `POST /thing`),
/// so a test sees whether the middleware let a request through.
func routerWith(_ middleware: some RouterMiddleware<BasicRequestContext>) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: TestAuthorityMiddleware())
    router.add(middleware: middleware)
    router.get("/") { _, _ in Response(status: .noContent) }
    router.get("thing") { _, _ in Response(status: .noContent) }
    router.post("thing") { _, _ in Response(status: .noContent) }
    return router
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The `error` member of a JSON error body.
    var errorMessage: String? {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])?["error"] as? String
    }
}

/// `[(name, value)]` as `HTTPFields`.
func fields(_ pairs: [(String, String)]) -> HTTPFields {
    var fields = HTTPFields()
    for (name, value) in pairs { fields[.init(name)!] = value }
    return fields
}

/// An error that is not an HTTP error.
struct Broken: Error, CustomStringConvertible {
    var description: String { "broken" }
}

@Suite("Status API middleware, each alone (in process)")
struct StatusMiddlewareTests {
    @Test("loopback Host: loopback names and addresses pass; others, look-alikes and no Host are refused with 403")
    func loopbackHost() async throws {
        let app = Application(router: routerWith(LoopbackHostMiddleware()))
        try await app.test(.router) { client in
            for host in ["localhost", "localhost:7834", "127.0.0.1:7834", "127.0.0.1", "127.8.9.10:80", "[::1]:7834", "[::1]", "dashboard.localhost:7834"] {
                let answer = try await client.execute(uri: "/thing", method: .get, headers: fields([("X-Test-Authority", host)]))
                #expect(answer.status == .noContent, "Host: \(host)")
            }
            for host in ["evil.example:7834", "rebind.example.com", "127.0.0.1.evil.example", "10.0.0.1:7834", "[::2]:7834", "0.0.0.0:7834", "", "-"] {
                let answer = try await client.execute(uri: "/thing", method: .get, headers: fields([("X-Test-Authority", host)]))
                #expect(answer.status == .forbidden, "Host: \(host)")
                #expect(answer.errorMessage?.contains("loopback host") == true)
            }
            // The dashboard page is no exception.
            let page = try await client.execute(uri: "/", method: .get, headers: fields([("X-Test-Authority", "evil.example")]))
            #expect(page.status == .forbidden)
        }
    }

    @Test("same-origin POST: own origin and no Origin pass; foreign, null and scheme-changed origins are refused with 403")
    func sameOriginPost() async throws {
        let app = Application(router: routerWith(SameOriginPostMiddleware()))
        try await app.test(.router) { client in
            let authority = [("X-Test-Authority", "127.0.0.1:7834")]
            #expect(try await client.execute(uri: "/thing", method: .post, headers: fields(authority)).status == .noContent)
            #expect(try await client.execute(uri: "/thing", method: .post, headers: fields(authority + [("Origin", "http://127.0.0.1:7834")])).status == .noContent)
            for origin in ["http://evil.example", "null", "https://127.0.0.1:7834", "http://127.0.0.1:7835", "http://localhost:7834"] {
                let answer = try await client.execute(uri: "/thing", method: .post, headers: fields(authority + [("Origin", origin)]))
                #expect(answer.status == .forbidden, "Origin: \(origin)")
                #expect(answer.errorMessage == "cross-origin request refused (Origin: \(origin))")
            }
            // Without a Host there is no own origin to match.
            let noHost = try await client.execute(uri: "/thing", method: .post, headers: fields([("X-Test-Authority", "-"), ("Origin", "http://127.0.0.1:7834")]))
            #expect(noHost.status == .forbidden)
            // Only POSTs are checked (a GET cannot act on the daemon).
            #expect(try await client.execute(uri: "/thing", method: .get, headers: fields(authority + [("Origin", "http://evil.example")])).status == .noContent)
        }
    }

    @Test("bearer token: the right token passes; none, wrong, a prefix, another scheme and the query are refused with 401")
    func bearerToken() async throws {
        let token = "test-token-0123456789abcdef"
        let app = Application(router: routerWith(BearerTokenMiddleware(token: token)))
        try await app.test(.router) { client in
            #expect(try await client.execute(uri: "/thing", method: .get, headers: fields([("Authorization", "Bearer \(token)")])).status == .noContent)
            #expect(try await client.execute(uri: "/thing", method: .post, headers: fields([("Authorization", "bearer  \(token) ")])).status == .noContent)
            let refused: [[(String, String)]] = [
                [],
                [("Authorization", "Bearer " + token.dropLast() + "x")],
                [("Authorization", "Bearer " + token.dropLast())],
                [("Authorization", "Bearer \(token)x")],
                [("Authorization", "Bearer ")],
                [("Authorization", "Basic \(token)")],
                [("Authorization", token)],
            ]
            for headers in refused {
                let answer = try await client.execute(uri: "/thing", method: .get, headers: fields(headers))
                #expect(answer.status == .unauthorized, "\(headers)")
                #expect(answer.headers[.wwwAuthenticate] == "Bearer")
                #expect(answer.errorMessage?.contains("STATE/status.json") == true)
            }
            // No query parameter unless the middleware names one.
            #expect(try await client.execute(uri: "/thing?token=\(token)", method: .get).status == .unauthorized)
        }
    }

    @Test("bearer token with a query parameter: ?token= passes; a wrong one, or a wrong header beside a right query, is refused")
    func bearerTokenQuery() async throws {
        let token = "test-token-0123456789abcdef"
        let app = Application(router: routerWith(BearerTokenMiddleware(token: token, queryParameter: "token")))
        try await app.test(.router) { client in
            #expect(try await client.execute(uri: "/thing?token=\(token)", method: .get).status == .noContent)
            #expect(try await client.execute(uri: "/thing", method: .get, headers: fields([("Authorization", "Bearer \(token)")])).status == .noContent)
            #expect(try await client.execute(uri: "/thing?token=nope", method: .get).status == .unauthorized)
            #expect(try await client.execute(uri: "/thing?secret=\(token)", method: .get).status == .unauthorized)
            let both = try await client.execute(uri: "/thing?token=\(token)", method: .get, headers: fields([("Authorization", "Bearer nope")]))
            #expect(both.status == .unauthorized)
        }
    }

    @Test("the constant-time compare matches only the exact, non-empty token")
    func constantTimeCompare() {
        let equal = BearerTokenMiddleware<BasicRequestContext>.constantTimeEqual
        let token = Array("abcdef".utf8)
        #expect(equal(Array("abcdef".utf8), token))
        #expect(!equal(Array("abcdeg".utf8), token))
        #expect(!equal(Array("abcde".utf8), token))
        #expect(!equal(Array("abcdefa".utf8), token))
        #expect(!equal([], []))
    }

    @Test("headers and errors: every answer gets the three headers; router errors become JSON errors")
    func headersAndErrors() async throws {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: StatusHeadersMiddleware(redact: SecretRedactor(secret: "test-token-0123456789abcdef")))
        router.get("ok") { _, _ in Response(status: .noContent) }
        router.get("conflict") { _, _ -> Response in throw HTTPError(.conflict, message: "short and stout") }
        router.get("broken") { _, _ -> Response in throw Broken() }
        let app = Application(router: router)
        try await app.test(.router) { client in
            var answers: [TestResponse] = []
            let ok = try await client.execute(uri: "/ok", method: .get)
            #expect(ok.status == .noContent)
            answers.append(ok)

            let missing = try await client.execute(uri: "/nowhere/test-token-0123456789abcdef", method: .get)
            #expect(missing.status == .notFound)
            #expect(missing.errorMessage == "no such endpoint: GET /nowhere/[redacted]")
            #expect(missing.headers[.contentType] == "application/json; charset=utf-8")
            answers.append(missing)

            let conflict = try await client.execute(uri: "/conflict", method: .get)
            #expect(conflict.status == .conflict)
            #expect(conflict.errorMessage == "short and stout")
            answers.append(conflict)

            let broken = try await client.execute(uri: "/broken", method: .get)
            #expect(broken.status == .internalServerError)
            #expect(broken.errorMessage == "broken")
            answers.append(broken)

            for answer in answers {
                #expect(answer.headers[.cacheControl] == "no-store")
                #expect(answer.headers[.xContentTypeOptions] == "nosniff")
                #expect(answer.headers[.init("Referrer-Policy")!] == "no-referrer")
            }
        }
    }
}

@Suite("Status API routes (in process, router test mode)")
struct StatusRouteTests {
    static let token = "test-token-0123456789abcdef"
    static var auth: [(String, String)] { [("Authorization", "Bearer \(token)")] }

    func app(_ provider: FixedProvider) -> some ApplicationProtocol {
        Application(router: StatusAPI.router(provider: provider, token: Self.token))
    }

    func provider(activityCount: Int = 12) -> FixedProvider {
        FixedProvider(snapshot: Fixtures.snapshot(), activity: Fixtures.activity(count: activityCount))
    }

    @Test("GET / is open (no token) and HEAD too; other methods get 405; refusals still carry the headers")
    func dashboard() async throws {
        try await app(provider()).test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.contentSecurityPolicy]?.hasPrefix("default-src 'none';") == true)
            #expect(page.headers[.init("X-Frame-Options")!] == "DENY")
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            #expect(page.text.contains("<title>Station daemon</title>"))
            #expect(try await client.execute(uri: "/", method: .head).status == .ok)

            let post = try await client.execute(uri: "/", method: .post, headers: fields([("Origin", "http://evil.example")]))
            #expect(post.status == .methodNotAllowed)
            #expect(post.headers[.allow] == "GET")
        }
    }

    @Test("every other path, unknown ones too, needs the token; then unknown ones get a JSON 404")
    func tokenBeforeLookup() async throws {
        try await app(provider()).test(.router) { client in
            for path in ["/api/v1/status", "/api/v1/activity", "/metrics", "/api/v1/nowhere", "/api/v1/modules/crawler/restart"] {
                let answer = try await client.execute(uri: path, method: .get)
                #expect(answer.status == .unauthorized, "\(path)")
                #expect(answer.headers[.wwwAuthenticate] == "Bearer")
                #expect(answer.headers[.cacheControl] == "no-store")
            }
            let unknown = try await client.execute(uri: "/api/v1/nowhere", method: .get, headers: fields(Self.auth))
            #expect(unknown.status == .notFound)
            #expect(unknown.errorMessage == "no such endpoint: GET /api/v1/nowhere")
            #expect(unknown.headers[.xContentTypeOptions] == "nosniff")
        }
    }

    @Test("?token= opens /metrics only")
    func queryTokenOnlyForMetrics() async throws {
        try await app(provider()).test(.router) { client in
            #expect(try await client.execute(uri: "/metrics?token=\(Self.token)", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/metrics?token=nope", method: .get).status == .unauthorized)
            #expect(try await client.execute(uri: "/api/v1/status?token=\(Self.token)", method: .get).status == .unauthorized)
            // With the query token, a wrong method on /metrics is told which one to use.
            let post = try await client.execute(uri: "/metrics?token=\(Self.token)", method: .post)
            #expect(post.status == .methodNotAllowed)
            #expect(post.headers[.allow] == "GET")
        }
    }

    @Test("GET /api/v1/status decodes to the provider's snapshot with jobsTotal and serverTime")
    func status() async throws {
        try await app(provider()).test(.router) { client in
            let answer = try await client.execute(uri: "/api/v1/status", method: .get, headers: fields(Self.auth))
            #expect(answer.status == .ok)
            #expect(answer.headers[.contentType] == "application/json; charset=utf-8")
            let data = Data(answer.body.readableBytesView)
            #expect(try StatusJSON.decoder().decode(DaemonSnapshot.self, from: data) == Fixtures.snapshot())
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect((object["jobsTotal"] as? NSNumber)?.uint64Value == 20_584)
            #expect(object["serverTime"] is String)
            #expect(try await client.execute(uri: "/api/v1/status", method: .post, headers: fields(Self.auth)).status == .methodNotAllowed)
        }
    }

    @Test("GET /api/v1/activity: default 100, at most 1000, 400 for nonsense")
    func activity() async throws {
        let provider = provider(activityCount: 1200)
        try await app(provider).test(.router) { client in
            var answers: [String: (HTTPResponse.Status, [ActivityEntry]?)] = [:]
            for query in ["", "?limit=5", "?limit=5000", "?limit=abc", "?limit=-3"] {
                let answer = try await client.execute(uri: "/api/v1/activity\(query)", method: .get, headers: fields(Self.auth))
                answers[query] = (answer.status, try? StatusJSON.decoder().decode([ActivityEntry].self, from: Data(answer.body.readableBytesView)))
            }
            #expect(answers[""]?.1?.count == 100)
            #expect(answers["?limit=5"]?.1 == Array(Fixtures.activity(count: 1200).suffix(5)))
            #expect(answers["?limit=5000"]?.1?.count == 1000)
            #expect(answers["?limit=abc"]?.0 == .badRequest)
            #expect(answers["?limit=-3"]?.0 == .badRequest)
            #expect(await provider.activityLimits == [100, 5, 1000])
        }
    }

    @Test("POST restart: 200, 404 for an unknown module, 405 for GET; names are percent-decoded")
    func restart() async throws {
        let odd = ModuleSnapshot(name: "my module/α", version: "1", source: "x.wasm", state: .running)
        let provider = FixedProvider(snapshot: Fixtures.snapshot(extraModules: [odd]), activity: [])
        try await app(provider).test(.router) { client in
            let ok = try await client.execute(uri: "/api/v1/modules/price-feed/restart", method: .post, headers: fields(Self.auth))
            #expect(ok.status == .ok)
            #expect(ok.text == #"{"message":"restarting price-feed","ok":true}"#)
            let unknown = try await client.execute(uri: "/api/v1/modules/ghost/restart", method: .post, headers: fields(Self.auth))
            #expect(unknown.status == .notFound)
            #expect(unknown.errorMessage == "no module named 'ghost'")
            let get = try await client.execute(uri: "/api/v1/modules/price-feed/restart", method: .get, headers: fields(Self.auth))
            #expect(get.status == .methodNotAllowed)
            #expect(get.headers[.allow] == "POST")
            let encoded = try await client.execute(uri: "/api/v1/modules/\(StatusClient.pathSegment(odd.name))/restart", method: .post, headers: fields(Self.auth))
            #expect(encoded.status == .ok)
            // A foreign origin is refused before the module is touched.
            let foreign = try await client.execute(uri: "/api/v1/modules/crawler/restart", method: .post, headers: fields(Self.auth + [("Origin", "http://evil.example")]))
            #expect(foreign.status == .forbidden)
            #expect(await provider.restarted == ["price-feed", odd.name])
        }
    }

    @Test("POST update: 200, 400 for bad bodies and invalid CIDs, 404, 502, 413 over 64 KiB")
    func update() async throws {
        let provider = provider()
        try await app(provider).test(.router) { client in
            func update(_ module: String, _ body: String) async throws -> TestResponse {
                try await client.execute(uri: "/api/v1/modules/\(module)/update", method: .post, headers: fields(Self.auth), body: ByteBuffer(string: body))
            }
            let ok = try await update("weather-probe", #"{"cid":"bafyabc"}"#)
            #expect(ok.status == .ok)
            #expect(ok.text == #"{"message":"weather-probe now runs bafyabc","ok":true}"#)
            let invalid = try await update("weather-probe", #"{"cid":"QmNotACid"}"#)
            #expect(invalid.status == .badRequest)
            #expect(invalid.errorMessage == "'QmNotACid' is not a CID")
            #expect(try await update("ghost", #"{"cid":"bafyabc"}"#).status == .notFound)
            #expect(try await update("weather-probe", #"{"cid":"fetch-fails"}"#).status == .badGateway)
            #expect(try await update("weather-probe", "not json").status == .badRequest)
            #expect(try await update("weather-probe", #"{"id":"bafyabc"}"#).status == .badRequest)
            #expect(try await update("weather-probe", #"{"cid":"  "}"#).status == .badRequest)
            let huge = try await update("weather-probe", #"{"cid":"bafyhuge"}"# + String(repeating: " ", count: StatusServer.maxBodyBytes))
            #expect(huge.status == .contentTooLarge)
            let updates = await provider.updates.map { "\($0.module)=\($0.cid)" }
            #expect(updates == ["weather-probe=bafyabc"])
        }
    }

    @Test("GET /metrics: the exposition with its content type")
    func metrics() async throws {
        try await app(provider()).test(.router) { client in
            let answer = try await client.execute(uri: "/metrics", method: .get, headers: fields(Self.auth))
            #expect(answer.status == .ok)
            #expect(answer.headers[.contentType] == StatusMetrics.contentType)
            #expect(answer.text.split(separator: "\n").contains("station_up 1.0"))
            #expect(answer.text.contains(#"station_module_state{module="crawler",state="parked"} 1.0"#))
        }
    }

    @Test("the token never appears in what the routes serve")
    func redaction() async throws {
        let token = Self.token
        var snapshot = Fixtures.snapshot()
        snapshot.modules[0].lastActivity = "leaked \(token)"
        snapshot.modules[1].reason = "reason \(token)"
        let provider = FixedProvider(snapshot: snapshot, activity: [ActivityEntry(time: Fixtures.now, module: "m", level: "info", message: "token=\(token)")])
        try await app(provider).test(.router) { client in
            for path in ["/api/v1/status", "/api/v1/activity", "/metrics", "/api/v1/nowhere/\(token)"] {
                let answer = try await client.execute(uri: path, method: .get, headers: fields(Self.auth))
                #expect(!answer.text.contains(token), "\(path) served the token")
                if path != "/metrics" { #expect(answer.text.contains("[redacted]"), "\(path)") }
            }
        }
    }
}
