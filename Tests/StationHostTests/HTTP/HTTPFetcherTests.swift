import Foundation
import NIOPosix
import NetworkAddresses
import Testing
@testable import StationHost

@Suite struct HTTPFetcherTests {
    static func policy(for servers: TestHTTPServer...) throws -> NetworkPolicy {
        try NetworkPolicy(allowing: servers.map { "http://127.0.0.1:\($0.port)" })
    }

    @Test func getReturnsStatusHeadersAndBody() async throws {
        let server = try await TestHTTPServer.start { request in
            TestResponse(status: 201, headers: [("X-Answer", "42"), ("X-Echo", request.header("X-Req") ?? "none")],
                         body: .bytes(Array("hello \(request.path)".utf8)))
        }
        let fetcher = try HTTPFetcher(policy: Self.policy(for: server))
        let hub = ReadinessHub()
        let exchange = try fetcher.start(HTTPFetchRequest(url: server.url("/greet?x=1"), headers: [("X-Req", "abc")]), hub: hub)
        #expect(exchange.kind == "http request")
        let response = try await ExchangeWait.response(exchange)
        #expect(response.status == 201)
        #expect(response.header("x-answer") == "42")
        #expect(response.header("X-Echo") == "abc")
        #expect(String(decoding: response.body, as: UTF8.self) == "hello /greet?x=1")
        #expect(server.receivedRequests.first?.method == "GET")
        exchange.close()
        fetcher.shutdown()
        try await server.stop()
    }

    @Test func postSendsTheBody() async throws {
        let server = try await TestHTTPServer.start { request in
            TestResponse(headers: [("X-Method", request.method)], body: .bytes(request.body.reversed()))
        }
        let fetcher = try HTTPFetcher(policy: Self.policy(for: server))
        let payload = Array((0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let exchange = try fetcher.start(
            HTTPFetchRequest(method: "POST", url: server.url("/echo"), headers: [("Content-Type", "application/octet-stream")], body: payload),
            hub: ReadinessHub())
        let response = try await ExchangeWait.response(exchange)
        #expect(response.header("X-Method") == "POST")
        #expect(response.body == payload.reversed())
        fetcher.shutdown()
        try await server.stop()
    }

    @Test func deniedHostIsRefusedBeforeAnyConnection() async throws {
        let server = try await TestHTTPServer.start { _ in .text("should not be reached") }
        let fetcher = try HTTPFetcher(policy: NetworkPolicy(allowing: ["*://*:*"]))
        #expect(throws: StationError.self) {
            try fetcher.start(HTTPFetchRequest(url: server.url("/")), hub: ReadinessHub())
        }
        let localhost = Result(catching: { () throws(StationError) -> HTTPExchange in
            try fetcher.start(HTTPFetchRequest(url: "http://localhost:\(server.port)/"), hub: ReadinessHub())
        })
        guard case .failure(let error) = localhost else {
            Issue.record("localhost should be denied")
            return
        }
        #expect(error.code == .denied)
        #expect(error.message.contains("--allow-net http://localhost:\(server.port)"))
        #expect(server.connectionsOpened == 0)
        #expect(server.receivedRequests.isEmpty)
        fetcher.shutdown()
        try await server.stop()
    }

    @Test func invalidRequestsAreRefusedAtOnce() throws {
        let fetcher = try HTTPFetcher(policy: NetworkPolicy(allowing: ["https://example.com"]))
        let hub = ReadinessHub()
        let bad: [HTTPFetchRequest] = [
            HTTPFetchRequest(method: "GE T", url: "https://example.com/"),
            HTTPFetchRequest(method: "", url: "https://example.com/"),
            HTTPFetchRequest(url: "https://example.com/", headers: [("X-Bad", "a\r\nInjected: 1")]),
            HTTPFetchRequest(url: "https://example.com/", headers: [("Bad Name", "x")]),
            HTTPFetchRequest(url: "https://example.com/", headers: [("Host", "other.example")]),
            HTTPFetchRequest(url: "https://example.com/", headers: [("Content-Length", "5")]),
            HTTPFetchRequest(url: "not a url"),
        ]
        for request in bad {
            let outcome = Result(catching: { () throws(StationError) -> HTTPExchange in try fetcher.start(request, hub: hub) })
            guard case .failure(let error) = outcome else {
                Issue.record("\(request.method) \(request.url) should be refused")
                continue
            }
            #expect(error.code == .invalidArgument)
        }
        fetcher.shutdown()
    }

    @Test func nameResolvingToPrivateAddressIsDenied() async throws {
        let server = try await TestHTTPServer.start { _ in .text("should not be reached") }
        let policy = try NetworkPolicy(allowing: ["http://rebind.test:\(server.port)", "http://mixed.test:\(server.port)"])
        let resolver = FixedHostResolver(table: [
            "rebind.test": [.v4(0x7F00_0001)],
            "mixed.test": [.v4(0x0A00_0001), IPAddress(strict: "::ffff:127.0.0.1")!],
        ])
        let fetcher = try HTTPFetcher(policy: policy, limits: NetworkLimits(), eventLoopGroup: MultiThreadedEventLoopGroup.singleton, resolver: resolver)
        for name in ["rebind.test", "mixed.test"] {
            let exchange = try fetcher.start(HTTPFetchRequest(url: "http://\(name):\(server.port)/"), hub: ReadinessHub())
            let failure = try await ExchangeWait.failure(of: exchange)
            #expect(failure?.code == .denied)
            #expect(failure?.message.contains("resolved to") == true)
        }
        #expect(server.connectionsOpened == 0)
        fetcher.shutdown()
        try await server.stop()
    }

    @Test func localhostPatternConnectsToLoopback() async throws {
        let server = try await TestHTTPServer.start { request in .text("host=\(request.header("Host") ?? "")") }
        let fetcher = try HTTPFetcher(policy: NetworkPolicy(allowing: ["http://localhost:\(server.port)"]))
        let exchange = try fetcher.start(HTTPFetchRequest(url: "http://LocalHost.:\(server.port)/"), hub: ReadinessHub())
        let response = try await ExchangeWait.response(exchange)
        #expect(String(decoding: response.body, as: UTF8.self) == "host=localhost:\(server.port)")
        fetcher.shutdown()
        try await server.stop()
    }

    @Test func httpsTrustsExtraCAFilesOnly() async throws {
        let authority = try TestCertificateAuthority.make()
        defer { authority.remove() }
        let server = try await TestHTTPServer.start(tls: authority) { _ in .text("secret") }
        let policy = try NetworkPolicy(allowing: ["https://localhost:\(server.port)"])
        let url = "https://localhost:\(server.port)/"

        var limits = NetworkLimits()
        limits.extraCAFiles = [authority.caFile]
        let trusting = try HTTPFetcher(policy: policy, limits: limits)
        let response = try await ExchangeWait.response(trusting.start(HTTPFetchRequest(url: url), hub: ReadinessHub()))
        #expect(String(decoding: response.body, as: UTF8.self) == "secret")
        trusting.shutdown()

        let plain = try HTTPFetcher(policy: policy)
        let failure = try await ExchangeWait.failure(of: plain.start(HTTPFetchRequest(url: url), hub: ReadinessHub()))
        #expect(failure?.code == .io)
        #expect(failure?.message.contains("TLS") == true)
        plain.shutdown()
        try await server.stop()
    }

    @Test func unreadableCAFileIsReported() {
        var limits = NetworkLimits()
        limits.extraCAFiles = ["/nonexistent/ca.pem"]
        #expect(throws: StationError.self) { try HTTPFetcher(policy: .denyAll, limits: limits) }
    }

    @Test func thousandRequestsWithSixtyFourInFlight() async throws {
        let meter = ConcurrencyMeter()
        let server = try await TestHTTPServer.start { request in
            meter.enter()
            try? await Task.sleep(for: .milliseconds(1))
            meter.leave()
            return .text("answer \(request.path)")
        }
        var limits = NetworkLimits()
        limits.maxConcurrentRequests = 64
        limits.maxConnectionsPerHost = 64
        let fetcher = try HTTPFetcher(policy: Self.policy(for: server), limits: limits)
        let hub = ReadinessHub()
        let exchanges = try (0..<1000).map { index in
            try fetcher.start(HTTPFetchRequest(url: server.url("/\(index)")), hub: hub)
        }
        let bodies = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for (index, exchange) in exchanges.enumerated() {
                group.addTask {
                    let response = try await ExchangeWait.response(exchange, safetyNet: .seconds(300))
                    return (index, String(decoding: response.body, as: UTF8.self))
                }
            }
            var collected: [Int: String] = [:]
            for try await (index, body) in group { collected[index] = body }
            return collected
        }
        #expect(bodies.count == 1000)
        #expect((0..<1000).allSatisfy { bodies[$0] == "answer /\($0)" })
        #expect(meter.peak <= 64)
        #expect(server.receivedRequests.count == 1000)
        fetcher.shutdown()
        try await server.stop()
    }

    @Test func shutdownCancelsRequestsInFlight() async throws {
        let server = try await TestHTTPServer.start { _ in
            TestResponse(body: .repeated(1, count: 1000), ending: .stall(afterBytes: 10))
        }
        let fetcher = try HTTPFetcher(policy: Self.policy(for: server))
        let exchange = try fetcher.start(HTTPFetchRequest(url: server.url("/")), hub: ReadinessHub())
        #expect(try await ExchangeWait.until { (try? exchange.status()) == 200 })
        fetcher.shutdown()
        let failure = try await ExchangeWait.failure(of: exchange)
        #expect(failure?.code == .cancelled)
        #expect(throws: StationError.self) { try fetcher.start(HTTPFetchRequest(url: server.url("/")), hub: ReadinessHub()) }
        try await server.stop()
    }
}
