import Bitswap
import Foundation
import IPFS
import IPFSGateway
import IPFSRouting
import Libp2p
import Multiformats
import NetworkAddresses
import Synchronization

/// Where fetched content came from, and what was tried on the way.
public struct ContentFetchOutcome: Sendable, Equatable {
    /// The CID at the end of the request's path, now pinned for the module.
    public var terminal: CID
    /// The source that delivered it: `local store`, `bitswap: connected peers`,
    /// `bitswap: providers from ROUTER`, `gateway URL (provider from ROUTER)`, `gateway URL`.
    public var source: String
    /// Every source that was tried and failed (or lost the race), with the reason.
    public var failures: [String]
    /// After ``ContentRouter/fetchScoped(_:module:observer:)``: the blocks now held for the module
    /// (nothing is pinned); release each with `BlockStore.release(_:module:)` when the read is done.
    /// Empty after ``ContentRouter/fetch(_:module:observer:)``, which pins instead.
    public var held: [CID] = []
}

/// What content routing has done since the router was created: one snapshot for the status API,
/// the dashboard and `--verbose`.
public struct RoutingStatistics: Sendable, Equatable {
    /// Peers in the DHT routing table now (0 without a DHT).
    public var routingTableSize = 0
    /// Provider lookups started (one per CID that had to be looked up, whatever sources were asked).
    public var lookups = 0
    /// Lookups whose sources all finished without naming a provider (lookups cut short because the
    /// content arrived first are not failures).
    public var failedLookups = 0
    /// Providers found by those lookups (each peer once per lookup, summed over lookups).
    public var providersFound = 0
    /// HTTP requests sent to delegated routers.
    public var delegatedRequests = 0
    /// Delegated router requests that failed.
    public var failedDelegatedRequests = 0
    /// Requests sent to DHT peers (FIND_NODE, GET_PROVIDERS, ADD_PROVIDER).
    public var dhtRequests = 0
    /// DHT requests that failed.
    public var failedDHTRequests = 0
    /// ADD_PROVIDER messages delivered (providing is off unless configured).
    public var providerAnnouncements = 0
    /// DHT requests from other peers answered (DHT server mode only).
    public var servedDHTRequests = 0
    /// DHT requests and streams from other peers refused: over a limit, malformed, unsupported.
    public var refusedDHTRequests = 0
    /// Provider records held for other peers now (DHT server mode only).
    public var providerRecords = 0

    /// Creates statistics (all zero unless given).
    public init(routingTableSize: Int = 0, lookups: Int = 0, failedLookups: Int = 0, providersFound: Int = 0,
                delegatedRequests: Int = 0, failedDelegatedRequests: Int = 0, dhtRequests: Int = 0,
                failedDHTRequests: Int = 0, providerAnnouncements: Int = 0, servedDHTRequests: Int = 0,
                refusedDHTRequests: Int = 0, providerRecords: Int = 0) {
        self.routingTableSize = routingTableSize
        self.lookups = lookups
        self.failedLookups = failedLookups
        self.providersFound = providersFound
        self.delegatedRequests = delegatedRequests
        self.failedDelegatedRequests = failedDelegatedRequests
        self.dhtRequests = dhtRequests
        self.failedDHTRequests = failedDHTRequests
        self.providerAnnouncements = providerAnnouncements
        self.servedDHTRequests = servedDHTRequests
        self.refusedDHTRequests = refusedDHTRequests
        self.providerRecords = providerRecords
    }
}

/// The router's own lookup counters (requests are counted by the DHT and routing clients).
private final class LookupCounters: Sendable {
    let lookups = Atomic<Int>(0)
    let failedLookups = Atomic<Int>(0)
    let providersFound = Atomic<Int>(0)

    /// Records one finished lookup: `providers` found, `complete` when every source finished.
    func finished(providers: Int, complete: Bool) {
        providersFound.wrappingAdd(providers, ordering: .relaxed)
        if providers == 0 && complete { failedLookups.wrappingAdd(1, ordering: .relaxed) }
    }
}

/// Settings of a ``ContentRouter``.
public struct ContentRouterSettings: Sendable {
    /// Providers dialled per routing answer (the rest are ignored).
    public var maxProviderPeers: Int
    /// Provider gateways tried per routing answer.
    public var maxProviderGateways: Int
    /// Provider dials in flight at once.
    public var dialConcurrency: Int
    /// Time limits for provider and configured gateways.
    public var gatewayConfiguration: GatewayClientConfiguration

    /// Creates settings (defaults: 16 provider peers and 8 provider gateways per answer, 8 dials at once).
    public init(maxProviderPeers: Int = 16, maxProviderGateways: Int = 8, dialConcurrency: Int = 8,
                gatewayConfiguration: GatewayClientConfiguration = GatewayClientConfiguration()) {
        self.maxProviderPeers = maxProviderPeers
        self.maxProviderGateways = maxProviderGateways
        self.dialConcurrency = dialConcurrency
        self.gatewayConfiguration = gatewayConfiguration
    }
}

/// Finds and fetches content by CID, the one path for `station ipfs get`, `ipfs_get` and modules
/// by CID: the local store first; then, at the same time, the connected peers over Bitswap and
/// the delegated routers; each router's answer is used as soon as that router finishes —
/// providers offering `transport-bitswap` are dialled and asked over Bitswap, providers offering
/// `transport-ipfs-gateway-http` are fetched from with the trustless gateway client — and the
/// first source to deliver the complete, verified DAG wins (the others are cancelled, their
/// blocks abandoned). Only when all of them fail are the configured gateways tried.
///
/// Provider addresses come from routers, so they are untrusted: gateway URLs and libp2p dial
/// addresses must pass `providerPolicy` (the network policy; by default public addresses only),
/// libp2p dials must prove the provider's peer ID, and every block is hashed against its CID.
public final class ContentRouter: Sendable {
    /// The block store content goes into.
    public let store: BlockStore
    /// Bitswap on the node, when there is one (without it, only gateways are used).
    public let bitswap: Bitswap?
    /// The delegated routers, when configured.
    public let routing: DelegatedRoutingClient?
    /// The DHT client, when there is one (asked at the same time as the routers).
    public let dht: KadDHT?
    /// The operator's own gateways, tried last.
    public let gateways: TrustlessGatewayClient?
    /// The policy provider addresses must pass.
    public let providerPolicy: NetworkPolicy
    /// The settings.
    public let settings: ContentRouterSettings
    private let connectedPeers: @Sendable () -> [PeerID]
    private let resolver: any HostResolving
    private let counters = LookupCounters()

    /// Creates a router.
    /// - Parameters:
    ///   - connectedPeers: the peers asked over Bitswap at once (for example every connected peer).
    ///   - providerPolicy: where provider addresses named by routers may point (``NetworkPolicy/publicInternet``).
    public init(store: BlockStore, bitswap: Bitswap?, routing: DelegatedRoutingClient?, dht: KadDHT? = nil,
                gateways: TrustlessGatewayClient? = nil,
                providerPolicy: NetworkPolicy = .publicInternet, settings: ContentRouterSettings = ContentRouterSettings(),
                connectedPeers: @escaping @Sendable () -> [PeerID] = { [] }) {
        self.store = store
        self.bitswap = bitswap
        self.routing = routing
        self.dht = dht
        self.gateways = gateways
        self.providerPolicy = providerPolicy
        self.settings = settings
        self.connectedPeers = connectedPeers
        resolver = SystemHostResolver()
    }

    /// Makes the DAG under `request` (root, path, `dag-scope=all`) complete in the store and pins
    /// the path's end for `module`.
    /// - Parameter observer: told of notable steps (a router answered or failed, a source failed,
    ///   a gateway was skipped) and of gateway body bytes.
    /// - Throws: `ContentRouterError.notFound` naming every source tried; store errors another
    ///   source cannot fix (quota, capacity, disk) at once.
    public func fetch(_ request: GatewayRequest, module: String, observer: FetchObserver = FetchObserver()) async throws -> ContentFetchOutcome {
        var request = request
        request.scope = .all
        request.format = .car
        if let terminal = try await completeLocally(request) {
            try store.pin(terminal, module: module)
            return ContentFetchOutcome(terminal: terminal, source: "local store", failures: [])
        }
        return try await fetchElsewhere(request, module: module, observer: observer)
    }

    /// Gets the blocks a `dag-scope=block` or `dag-scope=entity` request selects into the store and
    /// holds them for `module`, pinning nothing: the caller releases every CID of the outcome's
    /// ``ContentFetchOutcome/held`` with `store.release(_:module:)` when its read is done.
    ///
    /// Only the blocks the request needs are fetched (those a trustless gateway would put in its
    /// CAR: the blocks along the path, then what the scope selects under its end), and the blocks
    /// already in the store are used, so the rest of the DAG need not be local. Bitswap asks for
    /// the path's blocks one at a time, then for the scoped blocks; gateways are sent the scoped
    /// request. Sources are raced as in ``fetch(_:module:observer:)``.
    /// - Throws: `IPFSError.invalidOption` for `dag-scope=all` (use ``fetch(_:module:observer:)``);
    ///   path and UnixFS errors of the local blocks at once; otherwise as ``fetch(_:module:observer:)``.
    public func fetchScoped(_ request: GatewayRequest, module: String, observer: FetchObserver = FetchObserver()) async throws -> ContentFetchOutcome {
        var request = request
        request.format = .car
        guard request.scope != .all else { throw IPFSError.invalidOption("a scoped fetch needs dag-scope=block or entity") }
        let local = HoldingBlockProvider(store: store, module: module)
        do {
            let terminal = try await Self.walkHolding(request, provider: local)
            return ContentFetchOutcome(terminal: terminal, source: "local store", failures: [], held: local.transfer())
        } catch IPFSError.blockNotFound {
            // Fetched again below by a source that holds what it takes.
            local.release()
        } catch {
            local.release()
            throw error
        }
        return try await fetchElsewhere(request, module: module, observer: observer)
    }

    /// The race, then the configured gateways: for `dag-scope=all` the path's end is pinned, for
    /// the other scopes the blocks are held (see ``ContentFetchOutcome/held``).
    private func fetchElsewhere(_ request: GatewayRequest, module: String, observer: FetchObserver) async throws -> ContentFetchOutcome {
        var failures: [String] = []
        if let won = try await race(request, module: module, failures: &failures, observer: observer) { return won }
        if let gateways {
            do {
                let (terminal, gateway, held) = try await Self.gatewayFetch(gateways, request, store: store, module: module, observer: observer)
                return ContentFetchOutcome(terminal: terminal, source: "gateway \(gateway)", failures: failures, held: held)
            } catch {
                if Self.isFinal(error) { throw error }
                failures.append("gateways: \(Self.describe(error))")
            }
        }
        if failures.isEmpty { failures.append("it is not in the local store and no peers, routers or gateways are configured") }
        throw ContentRouterError.notFound(request.root.description, failures)
    }

    /// The providers of `cid`: the routers' answers as events (see ``DelegatedRoutingClient/findProviders(_:)``).
    public func findProviders(_ cid: CID) -> AsyncStream<RoutingEvent> {
        guard let routing else { return AsyncStream { $0.finish() } }
        counters.lookups.wrappingAdd(1, ordering: .relaxed)
        let (stream, continuation) = AsyncStream<RoutingEvent>.makeStream()
        let task = Task { [counters] in
            var peers = Set<PeerID>()
            for await event in routing.findProviders(cid) {
                if case .provider(let record) = event { peers.insert(record.peer) }
                continuation.yield(event)
            }
            counters.finished(providers: peers.count, complete: !Task.isCancelled)
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// What routing has done so far: this router's lookups, the DHT's table and requests, the
    /// delegated routers' requests.
    public func statistics() -> RoutingStatistics {
        var statistics = RoutingStatistics(
            lookups: counters.lookups.load(ordering: .relaxed),
            failedLookups: counters.failedLookups.load(ordering: .relaxed),
            providersFound: counters.providersFound.load(ordering: .relaxed))
        if let dht {
            let kad = dht.statistics()
            statistics.routingTableSize = kad.routingTableSize
            statistics.dhtRequests = kad.requests
            statistics.failedDHTRequests = kad.failedRequests
            statistics.providerAnnouncements = kad.providerAnnouncements
            statistics.servedDHTRequests = kad.inboundRequests
            statistics.refusedDHTRequests = kad.refusedInbound
            statistics.providerRecords = kad.providerRecords
        }
        if let routing {
            let delegated = routing.statistics()
            statistics.delegatedRequests = delegated.requests
            statistics.failedDelegatedRequests = delegated.failedRequests
        }
        return statistics
    }

    // MARK: The race

    /// A DHT provider lookup as routing events (source `dht`).
    private static func dhtEvents(_ dht: KadDHT, _ root: CID) -> AsyncStream<RoutingEvent> {
        let (stream, continuation) = AsyncStream<RoutingEvent>.makeStream()
        let task = Task {
            var count = 0
            for await peer in dht.findProviders(root.multihash, limit: 20) {
                count += 1
                continuation.yield(.provider(ProviderRecord(peer: peer.id, addresses: peer.addresses, protocols: [], source: "dht")))
            }
            continuation.yield(.routerFinished(router: "dht", providers: count, cached: false, note: nil))
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private enum Lane: Sendable {
        case delivered(ContentFetchOutcome)
        case failed(String)
        case final(any Error)
        case providers(RoutingBatches, [ProviderRecord]?)
        /// Providers joined the Bitswap session already running (the note says which).
        case joined(String)
    }

    /// Runs the connected-peer lane and the routing lanes at once; nil when all failed.
    private func race(_ request: GatewayRequest, module: String, failures: inout [String],
                      observer: FetchObserver) async throws -> ContentFetchOutcome? {
        let report = observer.report
        let batches = routing.map { RoutingBatches($0.findProviders(request.root), observer: observer) }
        // DHT providers come one at a time from a lookup that may take long: each is used at once.
        let dhtBatches = dht.map { RoutingBatches(Self.dhtEvents($0, request.root), observer: observer, eachProvider: true) }
        let routingSources = [batches, dhtBatches].compactMap { $0 }.count
        var finishedSources = 0
        var providersSeen = Set<PeerID>()
        if routingSources > 0 { counters.lookups.wrappingAdd(1, ordering: .relaxed) }
        defer {
            if routingSources > 0 {
                counters.finished(providers: providersSeen.count, complete: finishedSources == routingSources)
            }
        }
        return try await withThrowingTaskGroup(of: Lane.self) { group in
            defer { group.cancelAll() }
            let peers = connectedPeers()
            // A whole-DAG fetch keeps one Bitswap session: providers found later join it (a
            // session each would have every provider send the whole DAG). Scoped fetches ask
            // block by block and have no session to join; so do the blocks along a path, and a
            // provider queued for a session that never started would be lost, so requests with a
            // path keep a session per lane.
            let oneSession = request.scope == .all && request.path.isEmpty
            var feed: BitswapPeerFeed?
            if let bitswap, !peers.isEmpty {
                let connectedFeed = oneSession ? BitswapPeerFeed() : nil
                feed = connectedFeed
                group.addTask {
                    await self.bitswapLane(bitswap, request, peers: peers, module: module, source: "bitswap: connected peers", feed: connectedFeed)
                }
            }
            for source in [batches, dhtBatches].compactMap({ $0 }) {
                group.addTask { .providers(source, await source.next()) }
            }
            var usedPeers = Set(peers)
            var usedGateways = Set<String>()
            while let lane = try await group.next() {
                switch lane {
                case .delivered(var outcome):
                    outcome.failures = failures
                    await drain(&group, module: module)
                    return outcome
                case .failed(let reason):
                    failures.append(reason)
                    report?(reason)
                case .final(let error):
                    await drain(&group, module: module)
                    throw error
                case .providers(_, nil):
                    finishedSources += 1
                case .joined(let note):
                    observer.note?(note)
                case .providers(let source, let records?):
                    group.addTask { .providers(source, await source.next()) }
                    for record in records { providersSeen.insert(record.peer) }
                    let fresh = records.filter { usedPeers.insert($0.peer).inserted }
                    let bitswapProviders = Array(fresh.filter(\.mayOfferBitswap).prefix(settings.maxProviderPeers))
                    if let bitswap, !bitswapProviders.isEmpty {
                        let sources = Set(bitswapProviders.map(\.source)).sorted().joined(separator: ", ")
                        let source = "bitswap: providers from \(sources)"
                        if let running = feed, !running.isEnded {
                            group.addTask {
                                await self.providerBitswapLane(bitswap, request, providers: bitswapProviders, module: module, source: source, joining: running)
                            }
                        } else {
                            let providerFeed = oneSession ? BitswapPeerFeed() : nil
                            feed = providerFeed
                            group.addTask {
                                await self.providerBitswapLane(bitswap, request, providers: bitswapProviders, module: module, source: source, feed: providerFeed)
                            }
                        }
                    }
                    var gatewayURLs: [(url: String, source: String)] = []
                    for record in fresh where record.offersGateway {
                        for url in record.gatewayURLs where usedGateways.insert(url).inserted {
                            gatewayURLs.append((url, record.source))
                        }
                    }
                    if !gatewayURLs.isEmpty {
                        let chosen = Array(gatewayURLs.prefix(settings.maxProviderGateways))
                        group.addTask { await self.providerGatewayLane(request, gateways: chosen, module: module, observer: observer) }
                    }
                }
            }
            return nil
        }
    }

    /// Cancels the lanes still running and waits for them; a scoped lane that delivered all the
    /// same gives its holds back (only the winner's are kept).
    private func drain(_ group: inout ThrowingTaskGroup<Lane, any Error>, module: String) async {
        group.cancelAll()
        while let lane = try? await group.next() {
            if case .delivered(let late) = lane {
                for cid in late.held { store.release(cid, module: module) }
            }
        }
    }

    /// A Bitswap fetch from `peers`; with a feed, peers found later join its session (the feed
    /// ends with the lane, so later ones start their own).
    private func bitswapLane(_ bitswap: Bitswap, _ request: GatewayRequest, peers: [PeerID], module: String, source: String,
                             feed: BitswapPeerFeed? = nil) async -> Lane {
        defer { feed?.end() }
        do {
            if request.scope != .all {
                let (terminal, held) = try await Self.bitswapFetchScoped(bitswap, request, peers: peers, store: store, module: module)
                return .delivered(ContentFetchOutcome(terminal: terminal, source: source, failures: [], held: held))
            }
            let terminal = try await Self.bitswapFetch(bitswap, request, peers: peers, store: store, module: module, feed: feed)
            return .delivered(ContentFetchOutcome(terminal: terminal, source: source, failures: []))
        } catch {
            if Self.isFinal(error) { return .final(error) }
            return .failed("\(source): \(Self.describe(error))")
        }
    }

    /// Dials the providers (addresses checked by the policy, at most `dialConcurrency` at once),
    /// then fetches from those that answered: they join the session `joining` feeds while it
    /// runs, otherwise they get a session of their own (fed by `feed`).
    private func providerBitswapLane(_ bitswap: Bitswap, _ request: GatewayRequest, providers: [ProviderRecord], module: String, source: String,
                                     feed: BitswapPeerFeed? = nil, joining: BitswapPeerFeed? = nil) async -> Lane {
        var reached: [PeerID] = []
        var dialFailures: [String] = []
        await withTaskGroup(of: (PeerID, String?).self) { group in
            var pending = providers[...]
            func startNext() {
                guard let provider = pending.popFirst() else { return }
                group.addTask { await self.dial(provider, bitswap: bitswap) }
            }
            for _ in 0 ..< max(1, settings.dialConcurrency) { startNext() }
            while let (peer, failure) = await group.next() {
                if let failure { dialFailures.append("\(peer): \(failure)") } else { reached.append(peer) }
                startNext()
            }
        }
        guard !reached.isEmpty else {
            feed?.end()
            return .failed("\(source): no provider could be dialled (\(dialFailures.prefix(4).joined(separator: "; ")))")
        }
        if let joining {
            let late = reached.filter { !joining.add($0) }
            if late.isEmpty { return .joined("\(source): \(reached.count) joined the running Bitswap session") }
            // The session ended meanwhile: these providers fetch on their own.
            return await bitswapLane(bitswap, request, peers: late, module: module, source: source)
        }
        return await bitswapLane(bitswap, request, peers: reached, module: module, source: source, feed: feed)
    }

    /// Connects to one provider through its first address that passes the policy and answers.
    private func dial(_ provider: ProviderRecord, bitswap: Bitswap) async -> (PeerID, String?) {
        let addresses = provider.dialableAddresses
        guard !addresses.isEmpty else { return (provider.peer, "no TCP address we can dial") }
        var reasons: [String] = []
        for address in addresses {
            do {
                let checked = try await checkedDialAddress(address)
                _ = try await bitswap.host.connect(to: checked)
                return (provider.peer, nil)
            } catch {
                reasons.append(Self.describe(error))
            }
        }
        return (provider.peer, reasons.joined(separator: "; "))
    }

    /// The dial address with its host replaced by an address the policy admits (names resolved
    /// here, so the dial goes exactly where the check said).
    private func checkedDialAddress(_ address: Multiaddr) async throws -> Multiaddr {
        guard let (host, port) = address.tcpHostPort else { throw ContentRouterError.denied("\(address) is not a TCP address") }
        let urlHost = host.contains(":") ? "[\(host)]" : host
        let checkedAddress: IPAddress
        do {
            (_, checkedAddress) = try await providerPolicy.admit("http://\(urlHost):\(port)", resolver: resolver)
        } catch let error as StationError {
            throw ContentRouterError.denied("\(address): \(error.message)")
        }
        var components = address.components
        let family: String
        switch checkedAddress {
        case .v4: family = "ip4"
        case .v6: family = "ip6"
        }
        components[0] = try Multiaddr("/\(family)/\(checkedAddress)").components[0]
        return Multiaddr(components: components)
    }

    private func providerGatewayLane(_ request: GatewayRequest, gateways: [(url: String, source: String)], module: String,
                                     observer: FetchObserver) async -> Lane {
        var allowed: [String] = []
        var sources: [String: String] = [:]
        var denied: [String] = []
        for (url, source) in gateways {
            do {
                let checked = try await checkedGatewayURL(url)
                allowed.append(checked)
                sources[checked] = source
            } catch {
                denied.append(Self.describe(error))
            }
        }
        guard !allowed.isEmpty else { return .failed("provider gateways: " + denied.joined(separator: "; ")) }
        do {
            let client = try TrustlessGatewayClient(gateways: allowed, configuration: settings.gatewayConfiguration)
            do {
                let (terminal, gateway, held) = try await Self.gatewayFetch(client, request, store: store, module: module, observer: observer)
                await client.shutdown()
                let source = "gateway \(gateway) (provider from \(sources[gateway] ?? "a router"))"
                return .delivered(ContentFetchOutcome(terminal: terminal, source: source, failures: [], held: held))
            } catch {
                await client.shutdown()
                throw error
            }
        } catch {
            if Self.isFinal(error) { return .final(error) }
            return .failed("provider gateways: \((denied + [Self.describe(error)]).joined(separator: "; "))")
        }
    }

    /// A provider gateway URL after the policy check; plain-HTTP names are replaced by the checked
    /// address, so the connection goes where the check said. (HTTPS keeps the name for TLS; its
    /// address is checked, then resolved again by the HTTP client.)
    private func checkedGatewayURL(_ url: String) async throws -> String {
        let (target, address): (CheckedTarget, IPAddress)
        do {
            (target, address) = try await providerPolicy.admit(url, resolver: resolver)
        } catch let error as StationError {
            throw ContentRouterError.denied("\(url): \(error.message)")
        }
        guard target.scheme == "http", case .name = target.host else { return url }
        return "http://\(address.urlHost):\(target.port)"
    }

    // MARK: Fetchers

    /// The terminal CID when the whole DAG under the request is in the store, else nil.
    private func completeLocally(_ request: GatewayRequest) async throws -> CID? {
        do {
            try await ScopedDAGWalker(provider: store).walk(request) { _ in }
        } catch IPFSError.blockNotFound {
            return nil
        }
        return try await UnixFSExporter(provider: store).resolve(request.root, path: request.path.joined(separator: "/"))
    }

    /// Bitswap: the directory blocks along the path one by one, then the DAG under its end (pinned).
    static func bitswapFetch(_ bitswap: Bitswap, _ request: GatewayRequest, peers: [PeerID], store: BlockStore, module: String,
                             feed: BitswapPeerFeed? = nil) async throws -> CID {
        var held: [CID] = []
        defer { for cid in held { store.release(cid, module: module) } }
        var current = request.root
        for segment in request.path {
            if !store.has(current) {
                held.append(try await bitswap.fetchBlock(current, from: peers, module: module).cid)
            }
            let entries = try await UnixFSExporter(provider: store).list(current)
            guard let entry = entries.first(where: { $0.name == segment }) else { throw IPFSError.pathNotFound(segment) }
            current = entry.cid
        }
        _ = try await bitswap.fetchDAG(root: current, from: peers, module: module, feed: feed)
        return current
    }

    /// Bitswap for a scoped request: the gateway walk of the request, asking the peers for each
    /// block it needs that the store lacks (the path's blocks, then the scoped ones), one at a
    /// time. Returns the path's end and the blocks held (nothing is pinned).
    static func bitswapFetchScoped(_ bitswap: Bitswap, _ request: GatewayRequest, peers: [PeerID], store: BlockStore,
                                   module: String) async throws -> (CID, [CID]) {
        let provider = HoldingBlockProvider(store: store, module: module) { cid in
            try await bitswap.fetchBlock(cid, from: peers, module: module)
        }
        do {
            let terminal = try await walkHolding(request, provider: provider)
            return (terminal, provider.transfer())
        } catch {
            provider.abandon()
            throw error
        }
    }

    /// Walks the blocks `request` selects through `provider` (which holds each), then resolves the
    /// path's end (its blocks were just held).
    static func walkHolding(_ request: GatewayRequest, provider: HoldingBlockProvider) async throws -> CID {
        try await ScopedDAGWalker(provider: provider).walk(request) { _ in }
        return try await UnixFSExporter(provider: provider).resolve(request.root, path: request.path.joined(separator: "/"))
    }

    /// A gateway CAR fetch. `dag-scope=all`: pins the path's end and releases the rest; other
    /// scopes: pins nothing and returns the blocks held. Returns the path's end, the gateway and
    /// the held blocks.
    static func gatewayFetch(_ client: TrustlessGatewayClient, _ request: GatewayRequest, store: BlockStore, module: String,
                             observer: FetchObserver) async throws -> (CID, String, [CID]) {
        let result = try await client.fetchCAR(request, into: store, module: module, progress: observer.progress)
        for failure in result.earlierFailures { observer.report?("skipped \(failure.description)") }
        do {
            let terminal = try await UnixFSExporter(provider: store).resolve(request.root, path: request.path.joined(separator: "/"))
            if request.scope != .all { return (terminal, result.gateway, result.held) }
            try store.pin(terminal, module: module)
            for cid in result.held { store.release(cid, module: module) }
            return (terminal, result.gateway, [])
        } catch {
            store.abandon(result.held, module: module)
            throw error
        }
    }

    // MARK: Errors

    /// Failures no other source can fix (quota, capacity, disk).
    static func isFinal(_ error: any Error) -> Bool {
        var error = error
        if case BitswapError.store(let inner) = error { error = inner }
        guard let error = error as? IPFSError else { return false }
        switch error {
        case .moduleQuotaExceeded, .storeCapacityExceeded, .io, .corruptIndex: return true
        default: return false
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as StationError: error.message
        case let error as CustomStringConvertible: error.description
        default: "\(error)"
        }
    }
}

/// What a caller of ``ContentRouter/fetch(_:module:observer:)`` wants to hear while it runs.
public struct FetchObserver: Sendable {
    /// One readable line per notable step.
    public var report: (@Sendable (String) -> Void)?
    /// One readable line per informational step (a router's answer).
    public var note: (@Sendable (String) -> Void)?
    /// Body bytes received so far from the gateway being read.
    public var progress: (@Sendable (UInt64) -> Void)?

    /// Creates an observer (every callback optional).
    public init(report: (@Sendable (String) -> Void)? = nil, note: (@Sendable (String) -> Void)? = nil,
                progress: (@Sendable (UInt64) -> Void)? = nil) {
        self.report = report
        self.note = note
        self.progress = progress
    }
}

/// Why a ``ContentRouter`` fetch failed.
public enum ContentRouterError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No source delivered the content; one reason per source tried.
    case notFound(String, [String])
    /// A provider address refused by the network policy.
    case denied(String)

    /// A readable sentence.
    public var description: String {
        switch self {
        case .notFound(let cid, let reasons): "\(cid) could not be found: " + reasons.joined(separator: "; ")
        case .denied(let reason): "denied by the network policy: \(reason)"
        }
    }
}

extension NetworkPolicy {
    /// Every public address on every port, and nothing private or local: where provider addresses
    /// named by routers may point unless the operator allows more.
    public static let publicInternet: NetworkPolicy = {
        // A fixed, valid pattern: it cannot fail to parse.
        (try? NetworkPolicy(allowing: ["*://*:*"])) ?? .denyAll
    }()
}

/// Turns a routing event stream into batches: the providers a router gave, each time one router
/// finishes or fails. Read by one task at a time (the race asks for the next batch only after the
/// previous one arrived).
final class RoutingBatches: @unchecked Sendable {
    private var iterator: AsyncStream<RoutingEvent>.AsyncIterator
    private var waiting: [ProviderRecord] = []
    private let observer: FetchObserver
    private let eachProvider: Bool

    /// - Parameter eachProvider: make every provider its own batch (for slow sources like the DHT).
    init(_ stream: AsyncStream<RoutingEvent>, observer: FetchObserver, eachProvider: Bool = false) {
        iterator = stream.makeAsyncIterator()
        self.observer = observer
        self.eachProvider = eachProvider
    }

    /// The next batch (possibly empty), or nil when every router is done.
    func next() async -> [ProviderRecord]? {
        while let event = await iterator.next() {
            switch event {
            case .provider(let record):
                if eachProvider { return [record] }
                waiting.append(record)
            case .routerFinished(let router, let count, _, let note):
                observer.note?("router \(router): \(count) provider\(count == 1 ? "" : "s")\(note.map { " (\($0))" } ?? "")")
                defer { waiting = [] }
                return waiting
            case .routerFailed(let router, let reason):
                observer.report?("router \(router) failed: \(reason)")
                defer { waiting = [] }
                return waiting
            }
        }
        guard !waiting.isEmpty else { return nil }
        defer { waiting = [] }
        return waiting
    }
}
