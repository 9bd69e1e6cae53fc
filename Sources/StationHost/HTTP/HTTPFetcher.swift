import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// One module's HTTP client: policy checks, caps and AsyncHTTPClient on the shared event loops.
///
/// Thread-safe. ``start(_:hub:)`` never blocks: it validates the request, checks the URL against
/// the policy and returns an ``HTTPExchange`` at once; DNS, connecting, redirects and the body
/// happen in the background and report through the exchange.
public final class HTTPFetcher: Sendable {
    /// The allow-list every request and redirect hop is checked against.
    public let policy: NetworkPolicy
    /// The caps and timeouts in force.
    public let limits: NetworkLimits
    let eventLoopGroup: any EventLoopGroup
    let clients: PinnedClientPool
    let gate: RequestGate
    let bandwidth: BandwidthLimiter?
    let resolver: any HostResolving
    private let registry = ExchangeRegistry()

    /// Creates the client. Throws when an extra CA file cannot be read as PEM certificates.
    public convenience init(policy: NetworkPolicy, limits: NetworkLimits = .init(),
                            eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        try self.init(policy: policy, limits: limits, eventLoopGroup: eventLoopGroup, resolver: SystemHostResolver())
    }

    /// As the public initialiser, with the host resolver replaceable (tests use a fixed table to
    /// play DNS rebinding).
    init(policy: NetworkPolicy, limits: NetworkLimits, eventLoopGroup: any EventLoopGroup, resolver: any HostResolving) throws {
        self.policy = policy
        self.limits = limits
        self.eventLoopGroup = eventLoopGroup
        self.resolver = resolver
        var tls = TLSConfiguration.makeClientConfiguration()
        if !limits.extraCAFiles.isEmpty {
            var extra: [NIOSSLCertificate] = []
            for path in limits.extraCAFiles {
                do {
                    extra += try NIOSSLCertificate.fromPEMFile(path)
                } catch {
                    throw StationError(.invalidArgument, "cannot read CA certificates from \(path): \(error)")
                }
            }
            tls.additionalTrustRoots = [.certificates(extra)]
        }
        clients = PinnedClientPool(eventLoopGroup: eventLoopGroup, limits: limits, tlsConfiguration: tls)
        gate = RequestGate(limit: limits.maxConcurrentRequests)
        bandwidth = limits.bytesPerSecond.map { BandwidthLimiter(bytesPerSecond: $0) }
    }

    /// Starts a request and returns at once (never blocks: called on the module's thread).
    /// The method, headers and URL are validated and the URL checked against the policy here;
    /// failures throw (`.invalidArgument`, `.denied`) and nothing touches the network.
    public func start(_ request: HTTPFetchRequest, hub: ReadinessHub) throws(StationError) -> HTTPExchange {
        try RequestValidation.checkMethod(request.method)
        try RequestValidation.checkHeaders(request.headers)
        let target = try policy.checkURL(request.url)
        let exchange = HTTPExchange(hub: hub, bodyBufferBytes: limits.bodyBufferBytes)
        guard let id = registry.add(exchange) else {
            throw StationError(.cancelled, "the module's HTTP client has been shut down")
        }
        let run = FetchRun(fetcher: self, exchange: exchange, request: request, firstTarget: target)
        let driver = Task {
            await run.run()
            self.registry.remove(id)
        }
        exchange.attach(driver)
        return exchange
    }

    /// Number of exchanges still running (queued, connecting or streaming).
    public var activeExchangeCount: Int { registry.count }

    /// Cancels everything in flight and shuts the clients down (blocks until they are).
    public func shutdown() {
        for exchange in registry.closeAll() {
            exchange.abort(StationError(.cancelled, "the request was cancelled because the module is stopping"))
        }
        clients.shutdown()
    }
}

/// The exchanges of a fetcher that are still running, so shutdown can cancel them.
final class ExchangeRegistry: Sendable {
    private struct State {
        var exchanges: [UInt64: HTTPExchange] = [:]
        var nextID: UInt64 = 0
        var closed = false
    }

    private let state = Mutex(State())

    /// Adds a running exchange; `nil` after ``closeAll()``.
    func add(_ exchange: HTTPExchange) -> UInt64? {
        state.withLock { state in
            guard !state.closed else { return nil }
            state.nextID += 1
            state.exchanges[state.nextID] = exchange
            return state.nextID
        }
    }

    func remove(_ id: UInt64) {
        state.withLock { _ = $0.exchanges.removeValue(forKey: id) }
    }

    var count: Int { state.withLock { $0.exchanges.count } }

    /// Refuses new exchanges and returns the running ones.
    func closeAll() -> [HTTPExchange] {
        state.withLock { state in
            state.closed = true
            let all = Array(state.exchanges.values)
            state.exchanges = [:]
            return all
        }
    }
}
