import Foundation
import Testing
@testable import StationHost

@Suite struct HTTPExchangeTests {
    @Test func readinessFollowsTheExchange() async throws {
        let server = try await TestHTTPServer.start { _ in .text("ok") }
        let fetcher = try HTTPFetcher(policy: HTTPFetcherTests.policy(for: server))
        let hub = ReadinessHub()
        let exchange = try fetcher.start(HTTPFetchRequest(url: server.url("/")), hub: hub)
        #expect(try await ExchangeWait.until { exchange.isReady })
        #expect(try exchange.status() == 200)
        #expect(try await ExchangeWait.until { exchange.isReady })
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 1)
        defer { buffer.deallocate() }
        let count = try exchange.read(into: buffer)
        #expect(Array(buffer[0..<count]) == Array("ok".utf8))
        #expect(try await ExchangeWait.until { exchange.isReady })
        #expect(try exchange.read(into: buffer) == 0)
        exchange.close()
        exchange.close()
        fetcher.shutdown()
        try await server.stop()
    }

    @Test func statusWouldBlockBeforeTheHead() async throws {
        let server = try await TestHTTPServer.start { _ in
            try? await Task.sleep(for: .seconds(30))
            return .text("late")
        }
        let fetcher = try HTTPFetcher(policy: HTTPFetcherTests.policy(for: server))
        let exchange = try fetcher.start(HTTPFetchRequest(url: server.url("/")), hub: ReadinessHub())
        #expect(throws: StationError.wouldBlock) { try exchange.status() }
        #expect(throws: StationError.wouldBlock) { try exchange.headers() }
        #expect(!exchange.isReady)
        exchange.close()
        fetcher.shutdown()
        try await server.stop()
    }

    @Test func closingCancelsTheRequestAndTheConnection() async throws {
        let server = try await TestHTTPServer.start { _ in
            TestResponse(body: .repeated(2, count: 10_000_000), drip: (chunkBytes: 1000, interval: .milliseconds(10)))
        }
        let fetcher = try HTTPFetcher(policy: HTTPFetcherTests.policy(for: server))
        let exchange = try fetcher.start(HTTPFetchRequest(url: server.url("/")), hub: ReadinessHub())
        #expect(try await ExchangeWait.until { (try? exchange.status()) == 200 })
        #expect(server.connectionsOpened == 1)
        exchange.close()
        #expect(try await ExchangeWait.until { server.connectionsClosed == 1 })
        #expect(try await ExchangeWait.until { fetcher.activeExchangeCount == 0 })
        #expect(exchange.failureReason == nil || exchange.failureReason?.code == .cancelled)
        fetcher.shutdown()
        try await server.stop()
    }

    @Test func aReaderThatNeverReadsKeepsTheBufferBounded() async throws {
        let total = 64 << 20
        let server = try await TestHTTPServer.start { _ in TestResponse(body: .repeated(4, count: total)) }
        var limits = NetworkLimits()
        limits.bodyBufferBytes = 128 << 10
        let fetcher = try HTTPFetcher(policy: HTTPFetcherTests.policy(for: server), limits: limits)
        let exchange = try fetcher.start(HTTPFetchRequest(url: server.url("/")), hub: ReadinessHub())
        #expect(try await ExchangeWait.until { (try? exchange.status()) == 200 })
        #expect(try await ExchangeWait.until { exchange.body.bytesReceived >= limits.bodyBufferBytes })
        try await Task.sleep(for: .milliseconds(500))
        // The channel holds at most its capacity plus one chunk; nothing more was pulled.
        #expect(exchange.body.bytesReceived <= limits.bodyBufferBytes + (1 << 20))
        #expect(exchange.body.bytesReceived < total)
        let response = try await ExchangeWait.response(exchange)
        #expect(response.body.count == total)
        fetcher.shutdown()
        try await server.stop()
    }
}
