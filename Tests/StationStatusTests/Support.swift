import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing
@testable import StationStatus

/// A fixed in-memory daemon: this target only renders what a provider reports, so a provider with
/// known data is the real input, not a stand-in for behaviour under test.
actor FixedProvider: StatusProvider {
    let fixedSnapshot: DaemonSnapshot
    let entries: [ActivityEntry]
    private(set) var restarted: [String] = []
    private(set) var updates: [(module: String, cid: String)] = []
    private(set) var activityLimits: [Int] = []

    init(snapshot: DaemonSnapshot, activity: [ActivityEntry]) {
        self.fixedSnapshot = snapshot
        self.entries = activity
    }

    func snapshot() async -> DaemonSnapshot { fixedSnapshot }

    func activity(limit: Int) async -> [ActivityEntry] {
        activityLimits.append(limit)
        return Array(entries.suffix(limit))
    }

    func restart(module: String) async throws {
        guard fixedSnapshot.modules.contains(where: { $0.name == module }) else {
            throw StatusActionError.unknownModule(module)
        }
        restarted.append(module)
    }

    func update(module: String, cid: String) async throws -> String {
        guard fixedSnapshot.modules.contains(where: { $0.name == module }) else {
            throw StatusActionError.unknownModule(module)
        }
        if cid == "fetch-fails" { throw StatusActionError.failed("could not fetch \(cid) from any gateway") }
        guard cid.hasPrefix("bafy") else { throw StatusActionError.invalid("'\(cid)' is not a CID") }
        updates.append((module, cid))
        return "\(module) now runs \(cid)"
    }
}

enum Fixtures {
    /// Whole seconds, so dates survive the ISO-8601 round trip exactly.
    static let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))

    static let mib: UInt64 = 1024 * 1024

    /// Content-routing figures of a daemon that has run for a few hours.
    static let routing = RoutingSnapshot(
        routingTableSize: 143, lookups: 2_210, lookupsFailed: 12, providersFound: 5_412, delegatedRequests: 1_480, dhtRequests: 19_822,
        providerAnnouncements: 31, dhtRequestsServed: 4_077, dhtRequestsRefused: 9, providerRecords: 118)

    /// Five modules, one in each state, with realistic figures (also used for docs/dashboard.png).
    static func snapshot(extraModules: [ModuleSnapshot] = [], routing: RoutingSnapshot? = Fixtures.routing) -> DaemonSnapshot {
        DaemonSnapshot(
            version: "0.1.0",
            startedAt: now.addingTimeInterval(-3 * 3600 - 17 * 60),
            peerID: "12D3KooWQmW5dPXtBvX8kGyoP5zJ1xhZr3Wx2bM1q7hTjKcYpN4e",
            listenAddresses: ["/ip4/0.0.0.0/tcp/4001/p2p/12D3KooWQmW5dPXtBvX8kGyoP5zJ1xhZr3Wx2bM1q7hTjKcYpN4e"],
            budget: BudgetSnapshot(memoryBytes: 1024 * mib, cpuPercent: 150, storageBytes: 4096 * mib),
            process: ProcessSnapshot(residentBytes: 187 * mib + 300 * 1024, cpuSeconds: 1234.5),
            modules: [
                ModuleSnapshot(
                    name: "weather-probe", version: "1.4.2", source: "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
                    state: .running, restarts: 2, runningSince: now.addingTimeInterval(-2 * 3600 - 5 * 60), engine: "wasmtime 50.0.1",
                    jobs: 18_342, cpuSeconds: 612.25, cpuPercent: 23.4, cpuLimitPercent: 50,
                    memoryBytes: 38 * mib, memoryLimitBytes: 64 * mib, storageBytes: 212 * mib, storageLimitBytes: 512 * mib,
                    networkBytesIn: 1_734 * mib, networkBytesOut: 96 * mib, lastActivity: "measured 41 stations, uploaded batch 9120"),
                ModuleSnapshot(
                    name: "ipfs-pinner", version: "0.9.0", source: "modules/ipfs-pinner.wasm",
                    state: .starting, restarts: 0, engine: "wasmkit 0.4.2",
                    jobs: 0, memoryLimitBytes: 128 * mib, storageLimitBytes: 1024 * mib, lastActivity: "compiling"),
                ModuleSnapshot(
                    name: "price-feed", version: "2.0.1", source: "ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
                    state: .backoff, reason: "trap: out of bounds memory access", restarts: 7, consecutiveFailures: 3,
                    nextStartAt: now.addingTimeInterval(40), engine: "wasmtime 50.0.1",
                    jobs: 2_210, cpuSeconds: 88.5, cpuPercent: 0, cpuLimitPercent: 25,
                    memoryBytes: 0, memoryLimitBytes: 32 * mib, storageBytes: 3 * mib + 200 * 1024, storageLimitBytes: 64 * mib,
                    networkBytesIn: 14 * mib, networkBytesOut: 2 * mib, lastActivity: "fetched 12 quotes"),
                ModuleSnapshot(
                    name: "crawler", version: "0.3.0", source: "modules/crawler.wasm",
                    state: .parked, reason: "exceeded its memory limit (64 MiB) 5 times in a row; update or restart it by hand",
                    restarts: 5, consecutiveFailures: 5, engine: "wasmtime 50.0.1",
                    jobs: 31, cpuSeconds: 41, cpuPercent: 0, cpuLimitPercent: 50,
                    memoryBytes: 0, memoryLimitBytes: 64 * mib, storageBytes: 61 * mib, storageLimitBytes: 64 * mib,
                    networkBytesIn: 220 * mib, networkBytesOut: 5 * mib, lastActivity: "queue has 1,204 URLs"),
                ModuleSnapshot(
                    name: "report-once", version: "1.0.0", source: "modules/report-once.wasm",
                    state: .stopped, reason: "exited with code 0 (restart = \"never\")", restarts: 0,
                    jobs: 1, cpuSeconds: 0.8, memoryLimitBytes: 16 * mib, storageBytes: 12 * 1024, storageLimitBytes: 16 * mib,
                    networkBytesIn: 48 * 1024, networkBytesOut: 3 * 1024, lastActivity: "report sent"),
            ] + extraModules,
            routing: routing
        )
    }

    static func activity(count: Int = 12) -> [ActivityEntry] {
        let lines: [(String, String, String)] = [
            ("weather-probe", "info", "measured 41 stations, uploaded batch 9120"),
            ("price-feed", "error", "trap: out of bounds memory access (restart 7, next start in 40 s)"),
            ("crawler", "error", "parked: exceeded its memory limit (64 MiB) 5 times in a row"),
            ("ipfs-pinner", "info", "fetching bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"),
            ("report-once", "info", "report sent"),
            ("price-feed", "info", "fetched 12 quotes"),
        ]
        return (0..<count).map { index in
            let line = lines[index % lines.count]
            return ActivityEntry(time: now.addingTimeInterval(Double(index - count) * 37), module: line.0, level: line.1, message: line.2)
        }
    }
}

/// A running server on 127.0.0.1 with a random port, stopped when `body` returns.
func withServer<T: Sendable>(
    provider: FixedProvider,
    token: String = "test-token-0123456789abcdef",
    _ body: (_ port: Int, _ token: String) async throws -> T
) async throws -> T {
    let server = StatusServer(provider: provider, port: 0, token: token, logger: Logger(label: "status-test"))
    let port = try await server.start()
    do {
        let result = try await body(port, token)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

struct HTTPAnswer: Sendable {
    var status: Int
    var headers: [(String, String)]
    var body: Data

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    func json() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
    }
}

/// One real HTTP request over loopback with AsyncHTTPClient.
func call(
    _ method: HTTPMethod = .GET,
    port: Int,
    _ path: String,
    token: String? = nil,
    headers: [(String, String)] = [],
    body: Data? = nil
) async throws -> HTTPAnswer {
    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
    request.method = method
    if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
    for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
    if let body {
        request.body = .bytes(ByteBuffer(bytes: body))
        request.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
    }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
    return HTTPAnswer(
        status: Int(response.status.code),
        headers: response.headers.map { ($0.name, $0.value) },
        body: Data(bytes.readableBytesView)
    )
}
