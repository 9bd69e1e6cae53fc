import Multiformats
import NIOCore
import Synchronization

/// Settings of a ``KadDHT`` client (and server, in server mode).
public struct KadDHTConfiguration: Sendable {
    /// Protocols proposed on each stream, in order (the LAN DHT first: kubo's LAN DHT is the one
    /// that keeps peers on private and loopback addresses).
    public var protocols: [String]
    /// Bucket size and the number of closest peers a lookup converges on.
    public var k: Int
    /// Requests in flight per lookup.
    public var alpha: Int
    /// Longest wait for one peer's answer (dial, stream, request, response).
    public var requestTimeout: Duration
    /// Most peers one lookup asks (a hostile swarm answering with endless fresh closer peers
    /// cannot make a lookup run forever).
    public var maxQueriesPerLookup: Int
    /// Most candidates a lookup remembers (the farthest are forgotten past it).
    public var maxCandidates: Int
    /// Longest time one lookup may take: peers that answer slowly (each just inside
    /// `requestTimeout`) cannot stretch a lookup to `maxQueriesPerLookup × requestTimeout`.
    public var lookupTimeout: Duration
    /// Server mode: answer DHT requests from other peers on `/ipfs/kad/1.0.0` and
    /// `/ipfs/lan/kad/1.0.0` and hold the provider records they announce. Off by default: a
    /// server is only useful (and only asked) when others can dial it.
    public var serverMode: Bool
    /// Bounds of the provider records held in server mode.
    public var providerStore: KadProviderStoreLimits
    /// Most inbound DHT streams open at once from one peer (server mode); more are reset.
    public var maxInboundStreamsPerPeer: Int
    /// Most inbound DHT streams open at once from all peers (server mode); more are reset.
    public var maxInboundStreams: Int
    /// Longest wait for the next request on an inbound stream (server mode; kubo keeps request
    /// streams open for reuse and closes them after a minute idle).
    public var inboundIdleTimeout: Duration

    /// Creates settings (defaults: LAN then WAN protocol, k = 20, alpha = 3, 10 s per request,
    /// 100 requests and 400 candidates per lookup, 60 s per lookup; client mode; in server mode
    /// 8 inbound streams per peer, 256 in all, each closed after 60 s without a request).
    public init(protocols: [String] = [KadDHT.lanProtocolID, KadDHT.protocolID], k: Int = 20, alpha: Int = 3,
                requestTimeout: Duration = .seconds(10), maxQueriesPerLookup: Int = 100, maxCandidates: Int = 400,
                lookupTimeout: Duration = .seconds(60), serverMode: Bool = false,
                providerStore: KadProviderStoreLimits = KadProviderStoreLimits(),
                maxInboundStreamsPerPeer: Int = 8, maxInboundStreams: Int = 256, inboundIdleTimeout: Duration = .seconds(60)) {
        self.protocols = protocols
        self.k = k
        self.alpha = alpha
        self.requestTimeout = requestTimeout
        self.maxQueriesPerLookup = maxQueriesPerLookup
        self.maxCandidates = maxCandidates
        self.lookupTimeout = lookupTimeout
        self.serverMode = serverMode
        self.providerStore = providerStore
        self.maxInboundStreamsPerPeer = maxInboundStreamsPerPeer
        self.maxInboundStreams = maxInboundStreams
        self.inboundIdleTimeout = inboundIdleTimeout
    }
}

/// Counters of a ``KadDHT`` client since it was created (for the status API and `--verbose`).
public struct KadDHTStatistics: Sendable, Equatable {
    /// Peers in the routing table now.
    public var routingTableSize = 0
    /// Iterative lookups run (FIND_NODE and GET_PROVIDERS, including those behind `provide`).
    public var lookups = 0
    /// Lookups that ended with nothing: a GET_PROVIDERS lookup without a provider, a FIND_NODE
    /// lookup that no peer answered. (A lookup stopped because its caller went away is neither.)
    public var failedLookups = 0
    /// Distinct providers reported by GET_PROVIDERS lookups (summed over lookups).
    public var providersFound = 0
    /// Requests sent to DHT peers (FIND_NODE, GET_PROVIDERS, ADD_PROVIDER).
    public var requests = 0
    /// Requests that failed (dial, protocol, timeout, malformed answer).
    public var failedRequests = 0
    /// ADD_PROVIDER messages delivered (one per key and peer).
    public var providerAnnouncements = 0
    /// Requests answered (or, ADD_PROVIDER, handled) in server mode.
    public var inboundRequests = 0
    /// Inbound streams and requests refused in server mode: over a stream limit, malformed,
    /// too large, PUT_VALUE, or a bad key.
    public var refusedInbound = 0
    /// Provider records held for others now (server mode).
    public var providerRecords = 0

    /// Creates statistics (all zero unless given).
    public init(routingTableSize: Int = 0, lookups: Int = 0, failedLookups: Int = 0, providersFound: Int = 0,
                requests: Int = 0, failedRequests: Int = 0, providerAnnouncements: Int = 0,
                inboundRequests: Int = 0, refusedInbound: Int = 0, providerRecords: Int = 0) {
        self.routingTableSize = routingTableSize
        self.lookups = lookups
        self.failedLookups = failedLookups
        self.providersFound = providersFound
        self.requests = requests
        self.failedRequests = failedRequests
        self.providerAnnouncements = providerAnnouncements
        self.inboundRequests = inboundRequests
        self.refusedInbound = refusedInbound
        self.providerRecords = providerRecords
    }
}

/// What one ``KadDHT/provide(_:addresses:)`` did.
public struct KadProvideReport: Sendable, Equatable {
    /// The closest peers the FIND_NODE lookup found (the ones asked to store the record).
    public var closestPeers = 0
    /// Peers the ADD_PROVIDER message was delivered to.
    public var announced = 0
    /// Peers it could not be delivered to, with the reason.
    public var failures: [String] = []
}

/// The stream of one request, so that a timeout can reset it (even one opened after the timeout).
private final class PendingStream: Sendable {
    private let state = Mutex<(stream: Libp2pStream?, expired: Bool, done: Bool)>((nil, false, false))

    /// Records the stream; throws (after resetting it) when the request already expired.
    func opened(_ stream: Libp2pStream) throws {
        let expired = state.withLock { state in
            state.stream = stream
            return state.expired
        }
        if expired {
            stream.reset()
            throw CancellationError()
        }
    }

    /// The exchange completed; nothing to reset.
    func finished() { state.withLock { $0.done = true } }

    /// Resets the stream unless the exchange completed.
    func expire() {
        let stream = state.withLock { state -> Libp2pStream? in
            state.expired = true
            return state.done ? nil : state.stream
        }
        stream?.reset()
    }
}

/// The counters behind ``KadDHTStatistics`` (lock-free: every request and answer touches them).
final class KadCounters: Sendable {
    let lookups = Atomic<Int>(0)
    let failedLookups = Atomic<Int>(0)
    let providersFound = Atomic<Int>(0)
    let requests = Atomic<Int>(0)
    let failedRequests = Atomic<Int>(0)
    let providerAnnouncements = Atomic<Int>(0)
    let inboundRequests = Atomic<Int>(0)
    let refusedInbound = Atomic<Int>(0)
}

/// What a lookup did.
public struct KadLookupReport: Sendable, Equatable {
    /// Peers asked.
    public var queried = 0
    /// Peers that failed to answer (dial, protocol, timeout, malformed answer).
    public var failed = 0
    /// Peers that answered.
    public var answered = 0
    /// True when the lookup was cut off by `lookupTimeout`.
    public var timedOut = false
}

/// A Kademlia DHT client (`/ipfs/kad/1.0.0`, `/ipfs/lan/kad/1.0.0`) on a ``Libp2pHost``: a
/// k-bucket routing table filled by bootstrapping and by every answer, FIND_NODE and
/// GET_PROVIDERS as iterative lookups with `alpha` requests in flight that stop when the `k`
/// closest peers known have all been asked, and ADD_PROVIDER (``provide(_:addresses:)``) to the
/// `k` peers closest to a key. In server mode (``KadDHTConfiguration/serverMode``) it also
/// answers other peers' requests and holds the provider records they announce (see
/// `KadDHT+Server.swift`); off by default.
///
/// Hostile peers are bounded: each answer is at most ``KadMessage/maxLength`` bytes (refused from
/// its length prefix), at most 64 peers of each kind, and a lookup asks at most
/// `maxQueriesPerLookup` peers, remembers `maxCandidates`, reports at most its caller's limit of
/// distinct providers and ends after `lookupTimeout`. Provider records are not signed in the DHT;
/// a lying provider costs a dial, and the blocks it sends are verified by Bitswap.
public final class KadDHT: Sendable {
    /// The public (WAN) DHT protocol.
    public static let protocolID = "/ipfs/kad/1.0.0"
    /// The LAN DHT protocol kubo runs next to it.
    public static let lanProtocolID = "/ipfs/lan/kad/1.0.0"

    /// The host requests go through.
    public let host: Libp2pHost
    /// The routing table.
    public let table: KadRoutingTable
    /// The settings.
    public let configuration: KadDHTConfiguration
    /// The provider records held for others (filled only in server mode).
    public let providerStore: KadProviderStore
    let counters = KadCounters()
    let inbound = InboundStreamLimiter()

    /// Creates a client on `host` with an empty routing table; in server mode it also starts
    /// answering DHT requests on `host` until ``stopServing()`` or until it is released (the
    /// host's handlers hold it weakly: the caller keeps it). `now` is the provider records' clock.
    public init(host: Libp2pHost, configuration: KadDHTConfiguration = KadDHTConfiguration(),
                now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.host = host
        self.configuration = configuration
        table = KadRoutingTable(local: host.peerID, k: configuration.k)
        providerStore = KadProviderStore(limits: configuration.providerStore, now: now)
        if configuration.serverMode { startServing() }
    }

    deinit {
        // The handlers hold the DHT weakly; without it they would only reset streams while identify
        // still advertised the protocols.
        if configuration.serverMode { stopServing() }
    }

    /// The counters since creation and the routing table's size now.
    public func statistics() -> KadDHTStatistics {
        KadDHTStatistics(
            routingTableSize: table.count,
            lookups: counters.lookups.load(ordering: .relaxed),
            failedLookups: counters.failedLookups.load(ordering: .relaxed),
            providersFound: counters.providersFound.load(ordering: .relaxed),
            requests: counters.requests.load(ordering: .relaxed),
            failedRequests: counters.failedRequests.load(ordering: .relaxed),
            providerAnnouncements: counters.providerAnnouncements.load(ordering: .relaxed),
            inboundRequests: counters.inboundRequests.load(ordering: .relaxed),
            refusedInbound: counters.refusedInbound.load(ordering: .relaxed),
            providerRecords: providerStore.count)
    }

    /// Connects to `peers` (multiaddrs with `/p2p/`), adds those that answer to the table, then
    /// (unless `lookUpSelf` is false) looks up our own ID to fill it. Returns the table size.
    @discardableResult
    public func bootstrap(_ peers: [Multiaddr], lookUpSelf: Bool = true) async -> Int {
        await withTaskGroup(of: Void.self) { group in
            for address in peers {
                group.addTask {
                    guard let connection = try? await self.host.connect(to: address) else { return }
                    self.table.add(connection.remotePeer, addresses: [address.withoutPeerID])
                }
            }
        }
        if lookUpSelf { _ = await findClosestPeers(to: host.peerID.bytes) }
        return table.count
    }

    /// Sends one request to `peer` and reads its answer (within `requestTimeout`).
    public func request(_ message: KadMessage, to peer: PeerID) async throws -> KadMessage {
        guard let answer = try await exchange(message, with: peer, expectAnswer: true) else {
            throw Libp2pError.protocolViolation("DHT peer \(peer) closed the stream without answering")
        }
        return answer
    }

    /// Sends one message that has no answer (ADD_PROVIDER) to `peer` (within `requestTimeout`).
    public func send(_ message: KadMessage, to peer: PeerID) async throws {
        _ = try await exchange(message, with: peer, expectAnswer: false)
    }

    private func exchange(_ message: KadMessage, with peer: PeerID, expectAnswer: Bool) async throws -> KadMessage? {
        counters.requests.wrappingAdd(1, ordering: .relaxed)
        let limit = configuration.requestTimeout
        let pending = PendingStream()
        do {
            return try await withThrowingTaskGroup(of: KadMessage?.self) { group in
                group.addTask {
                    let stream = try await self.host.newStream(to: peer, protocols: self.configuration.protocols)
                    try pending.opened(stream)
                    do {
                        try await stream.write(ProtobufWire.lengthPrefixed(message.encoded))
                        let answer = expectAnswer ? try await Self.readMessage(from: stream) : nil
                        await stream.close()
                        pending.finished()
                        // A sent message must not look like the timeout below.
                        return answer ?? KadMessage(type: message.type, key: [])
                    } catch {
                        stream.reset()
                        throw error
                    }
                }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                // Stream reads do not end on task cancellation: on a timeout or a cancelled
                // lookup the stream is reset, which fails the read, so the group can finish.
                defer {
                    pending.expire()
                    group.cancelAll()
                }
                guard let first = try await group.next(), let answer = first else {
                    throw Libp2pError.timeout("DHT peer \(peer) did not answer within \(limit)")
                }
                return expectAnswer ? answer : nil
            }
        } catch {
            counters.failedRequests.wrappingAdd(1, ordering: .relaxed)
            throw error
        }
    }

    /// Reads one length-prefixed message, refusing a length above the limit before reading it.
    public static func readMessage(from stream: Libp2pStream) async throws -> KadMessage {
        guard let message = try await readMessageIfAny(from: stream) else {
            throw Libp2pError.protocolViolation("DHT stream ended before a message")
        }
        return message
    }

    /// Reads one length-prefixed message like ``readMessage(from:)``, or returns nil when the
    /// stream ends cleanly before its first byte (a peer done sending requests on a reused stream).
    /// The one place the ``KadMessage/maxLength`` cap is applied to the wire, for answers and
    /// requests alike.
    public static func readMessageIfAny(from stream: Libp2pStream) async throws -> KadMessage? {
        var length: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            var byte: ByteBuffer
            if shift == 0 {
                guard let first = try await stream.read(max: 1) else { return nil }
                byte = first
            } else {
                byte = try await stream.readExactly(1)
            }
            guard let value = byte.readInteger(as: UInt8.self) else { throw Libp2pError.protocolViolation("empty DHT read") }
            length |= UInt64(value & 0x7F) << shift
            if value & 0x80 == 0 { break }
            shift += 7
            guard shift < 35 else { throw Libp2pError.protocolViolation("DHT length prefix too long") }
        }
        guard length <= UInt64(KadMessage.maxLength) else {
            throw Libp2pError.protocolViolation("DHT peer announced a \(length)-byte message (limit \(KadMessage.maxLength))")
        }
        let body = try await stream.readExactly(Int(length))
        return try KadMessage(decoding: Array(body.readableBytesView))
    }

    /// The `k` closest peers to `key` the DHT knows (iterative FIND_NODE).
    public func findClosestPeers(to key: [UInt8]) async -> [KadRoutingTable.Entry] {
        let lookup = await run(KadMessage(type: .findNode, key: key), providerLimit: 0) { _ in }
        return lookup.closest
    }

    /// Providers of `multihash` (iterative GET_PROVIDERS), reported as they arrive; stops after
    /// `limit` distinct providers or when the lookup converges.
    public func findProviders(_ multihash: Multihash, limit: Int = 20) -> AsyncStream<KadMessage.Peer> {
        let (stream, continuation) = AsyncStream<KadMessage.Peer>.makeStream()
        let task = Task {
            _ = await self.findProviders(multihash, limit: limit) { continuation.yield($0) }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Providers of `multihash` (iterative GET_PROVIDERS), each passed to `onProvider` as it
    /// arrives; stops after `limit` distinct providers or when the lookup converges.
    public func findProviders(_ multihash: Multihash, limit: Int = 20, onProvider: @Sendable (KadMessage.Peer) -> Void) async -> KadLookupReport {
        await run(KadMessage(type: .getProviders, key: multihash.bytes), providerLimit: max(1, limit), onProvider: onProvider).report
    }

    /// Announces this host as a provider of `multihash`: finds the `k` peers closest to the key
    /// (iterative FIND_NODE) and sends each an ADD_PROVIDER naming our peer ID and `addresses`
    /// (where others can dial us; `/p2p/` suffixes are dropped, at most
    /// ``KadMessage/maxAddressesPerPeer`` are sent). Peers store the record for about 48 hours,
    /// so callers announce again well within that (kubo: every 22 hours).
    public func provide(_ multihash: Multihash, addresses: [Multiaddr]) async -> KadProvideReport {
        let closest = await findClosestPeers(to: multihash.bytes)
        var report = KadProvideReport(closestPeers: closest.count)
        let ours = KadMessage.Peer(id: host.peerID, addresses: Array(addresses.map(\.withoutPeerID).prefix(KadMessage.maxAddressesPerPeer)),
                                   connection: .connected)
        let message = KadMessage(type: .addProvider, key: multihash.bytes, providerPeers: [ours])
        await withTaskGroup(of: String?.self) { group in
            for entry in closest {
                group.addTask {
                    do {
                        try await self.send(message, to: entry.peer)
                        return nil
                    } catch {
                        return "\(entry.peer): \(error)"
                    }
                }
            }
            for await failure in group {
                if let failure { report.failures.append(failure) } else { report.announced += 1 }
            }
        }
        counters.providerAnnouncements.wrappingAdd(report.announced, ordering: .relaxed)
        return report
    }

    // MARK: The lookup

    private struct Candidate {
        var peer: PeerID
        var key: KadKey
        var addresses: [Multiaddr]
    }

    private func run(_ message: KadMessage, providerLimit: Int, onProvider: @Sendable (KadMessage.Peer) -> Void) async
        -> (closest: [KadRoutingTable.Entry], report: KadLookupReport) {
        counters.lookups.wrappingAdd(1, ordering: .relaxed)
        let target = KadKey(hashing: message.key)
        var candidates: [Candidate] = table.closest(to: target, count: configuration.k).map { Candidate(peer: $0.peer, key: $0.key, addresses: $0.addresses) }
        var asked = Set<PeerID>()
        var answered: [Candidate] = []
        var providers = Set<PeerID>()
        var report = KadLookupReport()
        var timedOut = false
        let lookupTimeout = configuration.lookupTimeout
        // nil from the group is the lookup's deadline.
        await withTaskGroup(of: (Candidate, KadMessage?)?.self) { group in
            var inFlight = 0
            func launch() {
                while inFlight < configuration.alpha, report.queried < configuration.maxQueriesPerLookup,
                      let next = candidates.first(where: { !asked.contains($0.peer) }) {
                    // Stop when the k closest peers known have all answered: nothing closer is pending.
                    let closestAnswered = answered.sorted { target.isCloser($0.key, than: $1.key) }.prefix(configuration.k)
                    if closestAnswered.count >= configuration.k, let farthest = closestAnswered.last,
                       !target.isCloser(next.key, than: farthest.key) { return }
                    asked.insert(next.peer)
                    report.queried += 1
                    inFlight += 1
                    group.addTask {
                        if !next.addresses.isEmpty { self.host.peerStore.addAddresses(next.addresses, for: next.peer) }
                        return (next, try? await self.request(message, to: next.peer))
                    }
                }
            }
            group.addTask {
                try? await Task.sleep(for: lookupTimeout)
                return nil
            }
            launch()
            while inFlight > 0, let result = await group.next() {
                guard let (peer, answer) = result else {
                    timedOut = true
                    break
                }
                inFlight -= 1
                guard let answer, answer.type == message.type else {
                    report.failed += 1
                    table.remove(peer.peer)
                    launch()
                    continue
                }
                report.answered += 1
                answered.append(peer)
                table.add(peer.peer, addresses: peer.addresses)
                for provider in answer.providerPeers where providers.count < providerLimit && providers.insert(provider.id).inserted {
                    onProvider(provider)
                }
                if providerLimit > 0 && providers.count >= providerLimit { break }
                for closer in answer.closerPeers where closer.id != host.peerID && !closer.addresses.isEmpty {
                    if !candidates.contains(where: { $0.peer == closer.id }) {
                        candidates.append(Candidate(peer: closer.id, key: KadKey(peer: closer.id), addresses: closer.addresses))
                    }
                }
                candidates.sort { target.isCloser($0.key, than: $1.key) }
                if candidates.count > configuration.maxCandidates { candidates.removeLast(candidates.count - configuration.maxCandidates) }
                launch()
            }
            // Requests still in flight and the deadline are no longer wanted.
            group.cancelAll()
        }
        report.timedOut = timedOut
        counters.providersFound.wrappingAdd(providers.count, ordering: .relaxed)
        let nothing = providerLimit > 0 ? providers.isEmpty : report.answered == 0
        if nothing && (timedOut || !Task.isCancelled) { counters.failedLookups.wrappingAdd(1, ordering: .relaxed) }
        let closest = answered.sorted { target.isCloser($0.key, than: $1.key) }.prefix(configuration.k)
            .map { KadRoutingTable.Entry(peer: $0.peer, key: $0.key, addresses: $0.addresses) }
        return (closest, report)
    }
}
