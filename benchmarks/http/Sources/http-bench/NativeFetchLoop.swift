import AsyncHTTPClient
import NIOCore

/// Totals of one native run.
struct FetchTotals: Sendable {
    var requests = 0
    var ok = 0
    var errors = 0
    var bytes = 0
    var firstError: String?
}

/// The native side of the benchmark: `count` GETs of one URL through AsyncHTTPClient with
/// `concurrency` requests in flight and at most `connections` HTTP/1.1 connections to the host.
enum NativeFetchLoop {
    static func run(url: String, count: Int, concurrency: Int, connections: Int) async throws -> FetchTotals {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let totals = await fetchAll(client: client, url: url, count: count, concurrency: concurrency)
        try await client.shutdown()
        return totals
    }

    private static func fetchAll(client: HTTPClient, url: String, count: Int, concurrency: Int) async -> FetchTotals {
        await withTaskGroup(of: Result<Int, Error>.self) { group in
            var totals = FetchTotals()
            var started = 0
            while started < min(concurrency, count) {
                group.addTask { await fetchOne(client: client, url: url) }
                started += 1
            }
            while let result = await group.next() {
                totals.requests += 1
                switch result {
                case .success(let bytes):
                    totals.ok += 1
                    totals.bytes += bytes
                case .failure(let error):
                    totals.errors += 1
                    if totals.firstError == nil { totals.firstError = String(describing: error) }
                }
                if started < count {
                    group.addTask { await fetchOne(client: client, url: url) }
                    started += 1
                }
            }
            return totals
        }
    }

    /// One GET; the body length on success (any status, like the module's `ok`).
    private static func fetchOne(client: HTTPClient, url: String) async -> Result<Int, Error> {
        do {
            let request = HTTPClientRequest(url: url)
            let response = try await client.execute(request, timeout: .seconds(60))
            var bytes = 0
            for try await chunk in response.body { bytes += chunk.readableBytes }
            return .success(bytes)
        } catch {
            return .failure(error)
        }
    }
}
