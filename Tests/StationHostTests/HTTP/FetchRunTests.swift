import Foundation
import Testing
@testable import StationHost

@Suite struct FetchRunTests {
    @Test func followsAllowedRedirectsAndRewritesMethods() async throws {
        let target = try await TestHTTPServer.start { request in
            .text("\(request.method) \(request.path) body=\(request.body.count) auth=\(request.header("Authorization") ?? "-")")
        }
        let front = try await TestHTTPServer.start { request in
            switch request.path {
            case "/303": .redirect(to: target.url("/after303"), status: 303)
            case "/307": .redirect(to: target.url("/after307"), status: 307)
            case "/relative": .redirect(to: "/final", status: 301)
            default: .text("front \(request.method) \(request.path) auth=\(request.header("Authorization") ?? "-")")
            }
        }
        let fetcher = try HTTPFetcher(policy: HTTPFetcherTests.policy(for: front, target))
        let hub = ReadinessHub()
        let auth = [("Authorization", "Bearer t")]
        let body = Array("payload".utf8)
        let seeOther = try await ExchangeWait.response(fetcher.start(
            HTTPFetchRequest(method: "POST", url: front.url("/303"), headers: auth, body: body), hub: hub))
        #expect(String(decoding: seeOther.body, as: UTF8.self) == "GET /after303 body=0 auth=-")
        let temporary = try await ExchangeWait.response(fetcher.start(
            HTTPFetchRequest(method: "POST", url: front.url("/307"), body: body), hub: hub))
        #expect(String(decoding: temporary.body, as: UTF8.self) == "POST /after307 body=7 auth=-")
        let relative = try await ExchangeWait.response(fetcher.start(
            HTTPFetchRequest(url: front.url("/relative"), headers: auth), hub: hub))
        #expect(String(decoding: relative.body, as: UTF8.self) == "front GET /final auth=Bearer t")
        fetcher.shutdown()
        try await front.stop()
        try await target.stop()
    }

    @Test func redirectToDeniedHostFailsWithoutContactingIt() async throws {
        let hidden = try await TestHTTPServer.start { _ in .text("internal") }
        let front = try await TestHTTPServer.start { _ in .redirect(to: hidden.url("/admin")) }
        let fetcher = try HTTPFetcher(policy: HTTPFetcherTests.policy(for: front))
        let exchange = try fetcher.start(HTTPFetchRequest(url: front.url("/")), hub: ReadinessHub())
        let failure = try await ExchangeWait.failure(of: exchange)
        #expect(failure?.code == .denied)
        #expect(failure?.message.contains("redirect") == true)
        #expect(throws: StationError.self) { try exchange.status() }
        #expect(front.receivedRequests.count == 1)
        #expect(hidden.connectionsOpened == 0)
        fetcher.shutdown()
        try await front.stop()
        try await hidden.stop()
    }

    @Test func tooManyRedirectsFail() async throws {
        let server = try await TestHTTPServer.start { request in
            let hop = Int(request.path.dropFirst()) ?? 0
            return .redirect(to: "/\(hop + 1)")
        }
        var limits = NetworkLimits()
        limits.maxRedirects = 3
        let fetcher = try HTTPFetcher(policy: HTTPFetcherTests.policy(for: server), limits: limits)
        let failure = try await ExchangeWait.failure(of: fetcher.start(HTTPFetchRequest(url: server.url("/0")), hub: ReadinessHub()))
        #expect(failure?.code == .io)
        #expect(failure?.message.contains("redirected more than 3 times") == true)
        #expect(server.receivedRequests.map(\.path) == ["/0", "/1", "/2", "/3"])
        fetcher.shutdown()
        try await server.stop()
    }

    @Test(arguments: [TestResponse.Framing.contentLength, .chunked])
    func responsesOverTheCapFail(framing: TestResponse.Framing) async throws {
        let server = try await TestHTTPServer.start { _ in
            TestResponse(body: .repeated(7, count: 300_000), framing: framing)
        }
        var limits = NetworkLimits()
        limits.maxResponseBytes = 100_000
        let fetcher = try HTTPFetcher(policy: HTTPFetcherTests.policy(for: server), limits: limits)
        let failure = try await ExchangeWait.failure(of: fetcher.start(HTTPFetchRequest(url: server.url("/")), hub: ReadinessHub()))
        #expect(failure?.code == .tooLarge)
        fetcher.shutdown()
        try await server.stop()
    }

    @Test func bodyExactlyAtTheCapIsDelivered() async throws {
        let server = try await TestHTTPServer.start { _ in TestResponse(body: .repeated(9, count: 100_000), framing: .chunked) }
        var limits = NetworkLimits()
        limits.maxResponseBytes = 100_000
        let fetcher = try HTTPFetcher(policy: HTTPFetcherTests.policy(for: server), limits: limits)
        let response = try await ExchangeWait.response(fetcher.start(HTTPFetchRequest(url: server.url("/")), hub: ReadinessHub()))
        #expect(response.body.count == 100_000)
        fetcher.shutdown()
        try await server.stop()
    }

    @Test func stalledBodyHitsTheIdleTimeout() async throws {
        let server = try await TestHTTPServer.start { _ in
            TestResponse(body: .repeated(1, count: 10_000), ending: .stall(afterBytes: 100))
        }
        var limits = NetworkLimits()
        limits.idleReadTimeout = .milliseconds(300)
        let fetcher = try HTTPFetcher(policy: HTTPFetcherTests.policy(for: server), limits: limits)
        let failure = try await ExchangeWait.failure(of: fetcher.start(HTTPFetchRequest(url: server.url("/")), hub: ReadinessHub()))
        #expect(failure?.code == .timedOut)
        #expect(failure?.message.contains("sent nothing") == true)
        fetcher.shutdown()
        try await server.stop()
    }

    @Test func slowBodyHitsTheRequestDeadline() async throws {
        let server = try await TestHTTPServer.start { _ in
            TestResponse(body: .repeated(1, count: 1000), drip: (chunkBytes: 10, interval: .milliseconds(50)))
        }
        let fetcher = try HTTPFetcher(policy: HTTPFetcherTests.policy(for: server))
        let exchange = try fetcher.start(HTTPFetchRequest(url: server.url("/"), timeout: .milliseconds(400)), hub: ReadinessHub())
        let failure = try await ExchangeWait.failure(of: exchange)
        #expect(failure?.code == .timedOut)
        #expect(failure?.message.contains("did not complete within") == true)
        fetcher.shutdown()
        try await server.stop()
    }

    @Test func connectionClosedMidBodyIsAnError() async throws {
        let server = try await TestHTTPServer.start { request in
            TestResponse(body: .repeated(3, count: 50_000), framing: request.path == "/chunked" ? .chunked : .contentLength,
                         ending: .close(afterBytes: 20_000))
        }
        let fetcher = try HTTPFetcher(policy: HTTPFetcherTests.policy(for: server))
        for path in ["/length", "/chunked"] {
            let failure = try await ExchangeWait.failure(of: fetcher.start(HTTPFetchRequest(url: server.url(path)), hub: ReadinessHub()))
            #expect(failure?.code == .io, "\(path)")
        }
        fetcher.shutdown()
        try await server.stop()
    }

    @Test func refusedConnectionIsAnIOError() async throws {
        let server = try await TestHTTPServer.start { _ in .text("x") }
        let port = server.port
        try await server.stop()
        let fetcher = try HTTPFetcher(policy: NetworkPolicy(allowing: ["http://127.0.0.1:\(port)"]))
        let failure = try await ExchangeWait.failure(of: fetcher.start(HTTPFetchRequest(url: "http://127.0.0.1:\(port)/"), hub: ReadinessHub()))
        #expect(failure?.code == .io)
        fetcher.shutdown()
    }

    @Test func bandwidthLimitSlowsTheBody() async throws {
        let size = 64 << 10
        let server = try await TestHTTPServer.start { _ in TestResponse(body: .repeated(5, count: size)) }
        var limits = NetworkLimits()
        limits.bytesPerSecond = 32 << 10
        let fetcher = try HTTPFetcher(policy: HTTPFetcherTests.policy(for: server), limits: limits)
        let start = ContinuousClock.now
        let response = try await ExchangeWait.response(fetcher.start(HTTPFetchRequest(url: server.url("/")), hub: ReadinessHub()))
        let elapsed = ContinuousClock.now - start
        #expect(response.body.count == size)
        // 32 KiB of burst, then 32 KiB at 32 KiB/s: at least one second (a lower bound only).
        #expect(elapsed >= .milliseconds(950))
        fetcher.shutdown()
        try await server.stop()
    }
    /// Modules see final statuses only (`docs/abi.md`: 200–599); a code past 599 or a protocol
    /// switch ends the exchange with an I/O error naming the status.
    @Test(arguments: [999, 600, 101])
    func statusesOutsideTheFinalRangeFail(status: Int) async throws {
        let server = try await TestHTTPServer.start { _ in TestResponse(status: status, body: .bytes(Array("odd".utf8))) }
        let fetcher = try HTTPFetcher(policy: HTTPFetcherTests.policy(for: server))
        let failure = try await ExchangeWait.failure(of: fetcher.start(HTTPFetchRequest(url: server.url("/")), hub: ReadinessHub()))
        #expect(failure?.code == .io)
        #expect(failure?.message.contains(String(status)) == true, "\(String(describing: failure))")
        fetcher.shutdown()
        try await server.stop()
    }

    @Test(arguments: [200, 204, 404, 599])
    func finalStatusesAreDelivered(status: Int) async throws {
        let server = try await TestHTTPServer.start { _ in TestResponse(status: status) }
        let fetcher = try HTTPFetcher(policy: HTTPFetcherTests.policy(for: server))
        let response = try await ExchangeWait.response(fetcher.start(HTTPFetchRequest(url: server.url("/")), hub: ReadinessHub()))
        #expect(response.status == status)
        fetcher.shutdown()
        try await server.stop()
    }
}
