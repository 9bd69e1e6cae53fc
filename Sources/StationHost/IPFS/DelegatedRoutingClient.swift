import AsyncHTTPClient
import Foundation
import IPFS
import IPFSRouting
import Multiformats
import NIOCore
import NIOPosix
import NIOSSL
import NetworkAddresses
import Synchronization

/// Settings of a ``DelegatedRoutingClient``.
public struct DelegatedRoutingConfiguration: Sendable {
    /// Longest time one router may take for one lookup, body included.
    public var timeout: Duration
    /// Longest wait for the TCP (and TLS) connection to a router.
    public var connectTimeout: Duration
    /// Lookups in flight per router at once (connections per router; more wait their turn).
    public var requestsPerRouter: Int
    /// Caps on each answer.
    public var limits: RoutingAnswerLimits
    /// How long found providers are reused without asking again.
    public var cacheLifetime: Duration
    /// Most cached lookups.
    public var cacheCapacity: Int

    /// Creates settings (defaults: 10 s per lookup, 5 s to connect, 32 requests per router,
    /// 1 MiB / 100 providers per answer, 5 minute cache of 1024 lookups).
    public init(timeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(5), requestsPerRouter: Int = 32,
                limits: RoutingAnswerLimits = RoutingAnswerLimits(), cacheLifetime: Duration = .seconds(300), cacheCapacity: Int = 1024) {
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.requestsPerRouter = requestsPerRouter
        self.limits = limits
        self.cacheLifetime = cacheLifetime
        self.cacheCapacity = cacheCapacity
    }
}

/// What a provider lookup reports, as it happens.
public enum RoutingEvent: Sendable, Equatable {
    /// A provider (each peer at most once per router).
    case provider(ProviderRecord)
    /// A router finished: how many providers it gave, whether from the cache, and why it stopped
    /// early if it did (a cap).
    case routerFinished(router: String, providers: Int, cached: Bool, note: String?)
    /// A router failed (the providers it gave before failing were reported).
    case routerFailed(router: String, reason: String)
}

/// Counters of a ``DelegatedRoutingClient`` since it was created.
public struct DelegatedRoutingStatistics: Sendable, Equatable {
    /// HTTP lookups sent to routers (one per router and CID; answers from the cache are not requests).
    public var requests = 0
    /// Requests that failed (refused by the policy, unreachable, timed out, bad status or answer).
    public var failedRequests = 0
    /// Lookups answered from the cache.
    public var cacheHits = 0

    /// Creates statistics (all zero unless given).
    public init(requests: Int = 0, failedRequests: Int = 0, cacheHits: Int = 0) {
        self.requests = requests
        self.failedRequests = failedRequests
        self.cacheHits = cacheHits
    }
}

/// A client of the delegated routing HTTP API (routing v1: `GET /routing/v1/providers/{cid}`),
/// asking several routers at once and streaming providers as they arrive.
///
/// Every request goes through the network policy like any other connection the runtime makes:
/// the URL is checked before any I/O, the router's name is resolved by the runtime, every address
/// checked, and the connection pinned to a checked address (AsyncHTTPClient never resolves it
/// again). Answers are bounded in time, bytes and providers (``RoutingAnswerParser``), and
/// lookups that found providers are cached.
public final class DelegatedRoutingClient: Sendable {
    /// The routers' base URLs (without a trailing slash).
    public let routers: [String]
    /// The policy every router connection is checked against.
    public let policy: NetworkPolicy
    /// The settings.
    public let configuration: DelegatedRoutingConfiguration
    /// Found providers, per router and multihash.
    public let cache: ProviderCache
    private let pool: PinnedClientPool
    private let resolver: any HostResolving
    private let requestCount = Atomic<Int>(0)
    private let failedRequestCount = Atomic<Int>(0)
    private let cacheHitCount = Atomic<Int>(0)

    /// Creates a client for `routers` (e.g. `https://cid.contact`).
    /// - Throws: `DelegatedRoutingError.invalidRouterURL` for a URL that is not http(s) with a host
    ///   and no query.
    public init(routers: [String], policy: NetworkPolicy, configuration: DelegatedRoutingConfiguration = DelegatedRoutingConfiguration()) throws(DelegatedRoutingError) {
        self.routers = try routers.map(Self.checkedBase)
        self.policy = policy
        self.configuration = configuration
        cache = ProviderCache(lifetime: configuration.cacheLifetime, capacity: configuration.cacheCapacity)
        var limits = NetworkLimits()
        limits.connectTimeout = configuration.connectTimeout
        limits.maxConnectionsPerHost = max(1, configuration.requestsPerRouter)
        pool = PinnedClientPool(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, limits: limits,
                                tlsConfiguration: TLSConfiguration.makeClientConfiguration())
        resolver = SystemHostResolver()
    }

    /// A router URL without its trailing slashes; throws for anything but `http(s)://host[:port][/prefix]`.
    public static func checkedBase(_ text: String) throws(DelegatedRoutingError) -> String {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil, url.user == nil
        else { throw .invalidRouterURL(text) }
        var base = text
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    /// The counters since creation.
    public func statistics() -> DelegatedRoutingStatistics {
        DelegatedRoutingStatistics(requests: requestCount.load(ordering: .relaxed),
                                   failedRequests: failedRequestCount.load(ordering: .relaxed),
                                   cacheHits: cacheHitCount.load(ordering: .relaxed))
    }

    /// Closes the connections. Call once, when done.
    public func shutdown() async {
        let pool = self.pool
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            // PinnedClientPool.shutdown blocks until its clients are down: keep it off the cooperative pool.
            Thread.detachNewThread {
                pool.shutdown()
                done.resume()
            }
        }
    }

    /// Asks every router at once for the providers of `cid`; the stream ends when every router has
    /// finished or failed. Cancelling the consumer (or dropping the stream) cancels the requests.
    public func findProviders(_ cid: CID) -> AsyncStream<RoutingEvent> {
        let (stream, continuation) = AsyncStream<RoutingEvent>.makeStream(bufferingPolicy: .unbounded)
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                for router in routers {
                    group.addTask { await self.lookUp(cid, at: router, continuation) }
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Every provider of `cid` from every router, and each router's failure.
    public func providers(of cid: CID) async -> (providers: [ProviderRecord], failures: [(router: String, reason: String)]) {
        var providers: [ProviderRecord] = []
        var failures: [(String, String)] = []
        for await event in findProviders(cid) {
            switch event {
            case .provider(let record): providers.append(record)
            case .routerFailed(let router, let reason): failures.append((router, reason))
            case .routerFinished: break
            }
        }
        return (providers, failures)
    }

    // MARK: One router

    private func lookUp(_ cid: CID, at router: String, _ events: AsyncStream<RoutingEvent>.Continuation) async {
        if let cached = cache.records(for: cid, source: router) {
            cacheHitCount.wrappingAdd(1, ordering: .relaxed)
            for record in cached { events.yield(.provider(record)) }
            events.yield(.routerFinished(router: router, providers: cached.count, cached: true, note: nil))
            return
        }
        let found = FoundRecords()
        let limit = configuration.timeout
        requestCount.wrappingAdd(1, ordering: .relaxed)
        do {
            let note = try await withThrowingTaskGroup(of: String??.self) { group in
                group.addTask {
                    try await self.request(cid, at: router) { record in
                        found.append(record)
                        events.yield(.provider(record))
                    }
                }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let note = first else { throw DelegatedRoutingError.timedOut(after: limit) }
                return note
            }
            let records = found.all
            cache.store(records, for: cid, source: router)
            events.yield(.routerFinished(router: router, providers: records.count, cached: false, note: note))
        } catch {
            failedRequestCount.wrappingAdd(1, ordering: .relaxed)
            events.yield(.routerFailed(router: router, reason: Self.describe(error, configuration: configuration)))
        }
    }

    /// One GET; calls `onRecord` for each record as it is read. Returns why it stopped early, if it did.
    private func request(_ cid: CID, at router: String, onRecord: @Sendable (ProviderRecord) -> Void) async throws -> String? {
        let url = router + "/routing/v1/providers/" + cid.toV1().description
        let (target, address): (CheckedTarget, IPAddress)
        do {
            (target, address) = try await policy.admit(url, resolver: resolver)
        } catch let error as StationError {
            throw DelegatedRoutingError.unreachable(error.message)
        }
        let client = try pool.borrowClient(host: target.host, address: address)
        defer { pool.returnClient(host: target.host, address: address) }
        var outgoing = HTTPClientRequest(url: target.normalizedURL)
        outgoing.method = .GET
        outgoing.headers.add(name: "Accept", value: "application/x-ndjson, application/json;q=0.9")
        let response = try await client.execute(outgoing, deadline: .now() + TimeAmount(configuration.timeout))
        // 404 is the spec's "no providers".
        if response.status.code == 404 { return nil }
        guard response.status.code == 200 else { throw DelegatedRoutingError.badStatus(Int(response.status.code)) }
        let type = response.headers.first(name: "content-type") ?? ""
        guard let format = RoutingAnswerParser.Format(contentType: type) else { throw DelegatedRoutingError.wrongContentType(type) }
        var parser = RoutingAnswerParser(format: format, limits: configuration.limits, source: router)
        for try await chunk in response.body {
            for record in try parser.feed(chunk.readableBytesView) { onRecord(record) }
            if parser.isDone { break }
        }
        for record in try parser.finish() { onRecord(record) }
        return parser.stoppedEarly
    }

    static func describe(_ error: any Error, configuration: DelegatedRoutingConfiguration) -> String {
        switch error {
        case let error as DelegatedRoutingError: return error.description
        case let error as StationError: return error.message
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout: return "could not connect within \(configuration.connectTimeout)"
            case .deadlineExceeded: return DelegatedRoutingError.timedOut(after: configuration.timeout).description
            case .remoteConnectionClosed: return "router closed the connection before the answer was complete"
            default: return "\(error)"
            }
        default: return "\(error)"
        }
    }
}

/// The records one lookup found (appended from the request task, read after it ends).
private final class FoundRecords: Sendable {
    private let records = Mutex<[ProviderRecord]>([])
    func append(_ record: ProviderRecord) { records.withLock { $0.append(record) } }
    var all: [ProviderRecord] { records.withLock { $0 } }
}
