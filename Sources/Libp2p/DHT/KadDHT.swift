import Multiformats
import NIOCore

/// Settings of a ``KadDHT`` client.
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

    /// Creates settings (defaults: LAN then WAN protocol, k = 20, alpha = 3, 10 s per request,
    /// 100 requests and 400 candidates per lookup).
    public init(protocols: [String] = [KadDHT.lanProtocolID, KadDHT.protocolID], k: Int = 20, alpha: Int = 3,
                requestTimeout: Duration = .seconds(10), maxQueriesPerLookup: Int = 100, maxCandidates: Int = 400) {
        self.protocols = protocols
        self.k = k
        self.alpha = alpha
        self.requestTimeout = requestTimeout
        self.maxQueriesPerLookup = maxQueriesPerLookup
        self.maxCandidates = maxCandidates
    }
}

/// What a lookup did.
public struct KadLookupReport: Sendable, Equatable {
    /// Peers asked.
    public var queried = 0
    /// Peers that failed to answer (dial, protocol, timeout, malformed answer).
    public var failed = 0
    /// Peers that answered.
    public var answered = 0
}

/// A Kademlia DHT client (`/ipfs/kad/1.0.0`, `/ipfs/lan/kad/1.0.0`) on a ``Libp2pHost``: a
/// k-bucket routing table filled by bootstrapping and by every answer, FIND_NODE and
/// GET_PROVIDERS as iterative lookups with `alpha` requests in flight that stop when the `k`
/// closest peers known have all been asked. Client mode only: it answers no DHT requests.
///
/// Hostile peers are bounded: each answer is at most ``KadMessage/maxLength`` bytes (refused from
/// its length prefix), at most 64 peers of each kind, and a lookup asks at most
/// `maxQueriesPerLookup` peers and remembers `maxCandidates`. Provider records are not signed in
/// the DHT; a lying provider costs a dial, and the blocks it sends are verified by Bitswap.
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

    /// Creates a client on `host` with an empty routing table.
    public init(host: Libp2pHost, configuration: KadDHTConfiguration = KadDHTConfiguration()) {
        self.host = host
        self.configuration = configuration
        table = KadRoutingTable(local: host.peerID, k: configuration.k)
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

    /// Sends one request to `peer` and reads its answer.
    public func request(_ message: KadMessage, to peer: PeerID) async throws -> KadMessage {
        let limit = configuration.requestTimeout
        return try await withThrowingTaskGroup(of: KadMessage?.self) { group in
            group.addTask {
                let stream = try await self.host.newStream(to: peer, protocols: self.configuration.protocols)
                do {
                    try await stream.write(ProtobufWire.lengthPrefixed(message.encoded))
                    let answer = try await Self.readMessage(from: stream)
                    await stream.close()
                    return answer
                } catch {
                    stream.reset()
                    throw error
                }
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let answer = first else {
                throw Libp2pError.timeout("DHT peer \(peer) did not answer within \(limit)")
            }
            return answer
        }
    }

    /// Reads one length-prefixed message, refusing a length above the limit before reading it.
    public static func readMessage(from stream: Libp2pStream) async throws -> KadMessage {
        var length: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            var byte = try await stream.readExactly(1)
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

    // MARK: The lookup

    private struct Candidate {
        var peer: PeerID
        var key: KadKey
        var addresses: [Multiaddr]
    }

    private func run(_ message: KadMessage, providerLimit: Int, onProvider: @Sendable (KadMessage.Peer) -> Void) async
        -> (closest: [KadRoutingTable.Entry], report: KadLookupReport) {
        let target = KadKey(hashing: message.key)
        var candidates: [Candidate] = table.closest(to: target, count: configuration.k).map { Candidate(peer: $0.peer, key: $0.key, addresses: $0.addresses) }
        var asked = Set<PeerID>()
        var answered: [Candidate] = []
        var providers = Set<PeerID>()
        var report = KadLookupReport()
        await withTaskGroup(of: (Candidate, KadMessage?).self) { group in
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
            launch()
            while let (peer, answer) = await group.next() {
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
                if providerLimit > 0 && providers.count >= providerLimit {
                    group.cancelAll()
                    break
                }
                for closer in answer.closerPeers where closer.id != host.peerID && !closer.addresses.isEmpty {
                    if !candidates.contains(where: { $0.peer == closer.id }) {
                        candidates.append(Candidate(peer: closer.id, key: KadKey(peer: closer.id), addresses: closer.addresses))
                    }
                }
                candidates.sort { target.isCloser($0.key, than: $1.key) }
                if candidates.count > configuration.maxCandidates { candidates.removeLast(candidates.count - configuration.maxCandidates) }
                launch()
            }
        }
        let closest = answered.sorted { target.isCloser($0.key, than: $1.key) }.prefix(configuration.k)
            .map { KadRoutingTable.Entry(peer: $0.peer, key: $0.key, addresses: $0.addresses) }
        return (closest, report)
    }
}
