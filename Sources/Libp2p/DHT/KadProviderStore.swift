import Multiformats
import Synchronization

/// Bounds of a ``KadProviderStore``.
public struct KadProviderStoreLimits: Sendable, Equatable {
    /// Most providers kept per key (the answer to GET_PROVIDERS carries them all, and
    /// ``KadMessage/maxPeers`` is what a reader keeps).
    public var maxProvidersPerKey: Int
    /// Most distinct keys.
    public var maxKeys: Int
    /// Most records one provider may hold (one peer announcing endless keys fills only its share).
    public var maxRecordsPerProvider: Int
    /// Most bytes held: keys, peer IDs and addresses plus a fixed overhead per record, address and
    /// key, so the count follows the process's real memory (measured with 100,000 records from
    /// decoded messages: about 370 bytes each with one address, 2,660 with sixteen).
    public var maxBytes: Int
    /// How long a record lives after it was last announced (kubo: 48 hours; providers announce
    /// again before that, kubo every 22 hours).
    public var recordLifetime: Duration

    /// Creates limits (defaults: 20 providers per key, 100,000 keys, 2,000 records per
    /// provider, 32 MiB (about 80,000 records of one address, 12,000 of sixteen), 48 hours).
    public init(maxProvidersPerKey: Int = 20, maxKeys: Int = 100_000, maxRecordsPerProvider: Int = 2_000,
                maxBytes: Int = 32 << 20, recordLifetime: Duration = .seconds(48 * 3600)) {
        self.maxProvidersPerKey = maxProvidersPerKey
        self.maxKeys = maxKeys
        self.maxRecordsPerProvider = maxRecordsPerProvider
        self.maxBytes = maxBytes
        self.recordLifetime = recordLifetime
    }
}

/// The provider records a DHT server holds for others (ADD_PROVIDER in, GET_PROVIDERS out), in
/// memory and bounded: at most ``KadProviderStoreLimits`` keys, records per key, records per
/// provider and bytes. A record expires `recordLifetime` after its last announcement; expired
/// records are never answered and are dropped when read, when the store is full, and at most
/// hourly on writes. When a bound is reached new records are refused (the records already held
/// stay: they were announced first and are answered until they expire). The clock is injected so
/// expiry can be tested without waiting.
public final class KadProviderStore: Sendable {
    /// What an ``add(key:provider:)`` did.
    public enum AddResult: Sendable, Equatable {
        /// A new record was stored.
        case added
        /// The provider already had a record for the key: its expiry and addresses were renewed.
        case renewed
        /// Refused: the named bound is reached.
        case refused(String)
    }

    private struct Record {
        var peer: KadMessage.Peer
        var expires: ContinuousClock.Instant
        var bytes: Int
    }

    private struct State {
        var keys: [[UInt8]: [Record]] = [:]
        var perProvider: [PeerID: Int] = [:]
        var records = 0
        var bytes = 0
        var lastSweep: ContinuousClock.Instant
        /// No record expires before this (it may be earlier than the true first expiry, never
        /// later): a full store sweeps only once something can have expired, so a flood of
        /// refused records does not cost a sweep each.
        var earliestExpiry: ContinuousClock.Instant?
    }

    /// Bytes counted per record and per key besides their contents: the allocations of the peer
    /// ID, the address list and each address, array and dictionary slots.
    static let recordOverhead = 200
    static let keyOverhead = 160
    static let addressOverhead = 144
    private static let sweepInterval = Duration.seconds(3600)

    /// The bounds.
    public let limits: KadProviderStoreLimits
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state: Mutex<State>

    /// Creates an empty store; `now` is the clock (the continuous clock unless a test gives one).
    public init(limits: KadProviderStoreLimits = KadProviderStoreLimits(),
                now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.limits = limits
        self.now = now
        state = Mutex(State(lastSweep: now()))
    }

    /// Stores (or renews) `provider` as a provider of `key`. The caller has checked that the
    /// provider is the peer that sent the announcement.
    @discardableResult
    public func add(key: [UInt8], provider: KadMessage.Peer) -> AddResult {
        let now = now()
        let peer = KadMessage.Peer(id: provider.id, addresses: Array(provider.addresses.prefix(KadMessage.maxAddressesPerPeer)),
                                   connection: .notConnected)
        let size = Self.recordOverhead + peer.id.bytes.count + peer.addresses.reduce(0) { $0 + Self.addressOverhead + $1.bytes.count }
        let expires = now + limits.recordLifetime
        return state.withLock { state in
            if now - state.lastSweep >= Self.sweepInterval { sweep(&state, now: now) }
            if let index = state.keys[key]?.firstIndex(where: { $0.peer.id == peer.id }) {
                let old = state.keys[key]![index].bytes
                guard state.bytes - old + size <= limits.maxBytes else { return .refused("bytes") }
                state.keys[key]![index] = Record(peer: peer, expires: expires, bytes: size)
                state.bytes += size - old
                return .renewed
            }
            let keyBytes = state.keys[key] == nil ? Self.keyOverhead + key.count : 0
            if let reason = refusal(state, key: key, provider: peer.id, adding: size + keyBytes) {
                // Full: drop what has expired, if anything can have, and look again before refusing.
                guard let earliest = state.earliestExpiry, earliest <= now else { return .refused(reason) }
                sweep(&state, now: now)
                let keyBytes = state.keys[key] == nil ? Self.keyOverhead + key.count : 0
                if let reason = refusal(state, key: key, provider: peer.id, adding: size + keyBytes) { return .refused(reason) }
            }
            let newKey = state.keys[key] == nil
            state.keys[key, default: []].append(Record(peer: peer, expires: expires, bytes: size))
            state.perProvider[peer.id, default: 0] += 1
            state.records += 1
            state.earliestExpiry = min(state.earliestExpiry ?? expires, expires)
            state.bytes += size + (newKey ? Self.keyOverhead + key.count : 0)
            return .added
        }
    }

    /// The live providers of `key` (expired records are dropped here).
    public func providers(for key: [UInt8]) -> [KadMessage.Peer] {
        let now = now()
        return state.withLock { state in
            guard let records = state.keys[key] else { return [] }
            return prune(key, records, in: &state, now: now).map(\.peer)
        }
    }

    /// Drops every expired record now.
    public func removeExpired() {
        let now = now()
        state.withLock { sweep(&$0, now: now) }
    }

    /// Records held (expired ones included until they are dropped).
    public var count: Int { state.withLock { $0.records } }
    /// Keys held.
    public var keyCount: Int { state.withLock { $0.keys.count } }
    /// Bytes counted against ``KadProviderStoreLimits/maxBytes``.
    public var bytes: Int { state.withLock { $0.bytes } }

    private func refusal(_ state: State, key: [UInt8], provider: PeerID, adding size: Int) -> String? {
        if let records = state.keys[key] {
            if records.count >= limits.maxProvidersPerKey { return "providers per key" }
        } else if state.keys.count >= limits.maxKeys {
            return "keys"
        }
        if state.perProvider[provider, default: 0] >= limits.maxRecordsPerProvider { return "records per provider" }
        if state.bytes + size > limits.maxBytes { return "bytes" }
        return nil
    }

    private func forget(_ record: Record, in state: inout State) {
        state.records -= 1
        state.bytes -= record.bytes
        let left = state.perProvider[record.peer.id, default: 1] - 1
        state.perProvider[record.peer.id] = left > 0 ? left : nil
    }

    private func sweep(_ state: inout State, now: ContinuousClock.Instant) {
        state.lastSweep = now
        var earliest: ContinuousClock.Instant?
        for (key, records) in state.keys {
            for record in prune(key, records, in: &state, now: now) {
                earliest = min(earliest ?? record.expires, record.expires)
            }
        }
        state.earliestExpiry = earliest
    }

    /// Drops the expired ones of `key`'s `records` (and the key once none is left); returns the
    /// live ones.
    private func prune(_ key: [UInt8], _ records: [Record], in state: inout State, now: ContinuousClock.Instant) -> [Record] {
        let live = records.filter { $0.expires > now }
        guard live.count != records.count else { return live }
        for record in records where record.expires <= now { forget(record, in: &state) }
        if live.isEmpty {
            state.keys[key] = nil
            state.bytes -= Self.keyOverhead + key.count
        } else {
            state.keys[key] = live
        }
        return live
    }
}
