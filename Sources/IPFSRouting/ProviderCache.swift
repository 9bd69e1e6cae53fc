import Foundation
import Multiformats
import Synchronization

/// A small cache of provider lookups, keyed by (source, multihash): routers index content by
/// multihash, so the same bytes named as CIDv0 or CIDv1 share an entry. Entries expire after
/// `lifetime`; past `capacity` the oldest entry goes. Only lookups that found providers are
/// cached, so content announced a moment later is found on the next try.
public final class ProviderCache: Sendable {
    /// How long an entry is used.
    public let lifetime: Duration
    /// Most entries kept.
    public let capacity: Int
    private struct State {
        var entries: [String: (records: [ProviderRecord], stored: ContinuousClock.Instant)] = [:]
        var order: [String] = []
    }
    private let state = Mutex(State())

    /// Creates a cache (defaults: 5 minutes, 1024 entries).
    public init(lifetime: Duration = .seconds(300), capacity: Int = 1024) {
        self.lifetime = lifetime
        self.capacity = max(1, capacity)
    }

    /// The records stored for `cid` from `source`, if fresh.
    public func records(for cid: CID, source: String) -> [ProviderRecord]? {
        let key = Self.key(cid, source)
        return state.withLock { state in
            guard let entry = state.entries[key] else { return nil }
            guard ContinuousClock.now - entry.stored < lifetime else {
                state.entries[key] = nil
                state.order.removeAll { $0 == key }
                return nil
            }
            return entry.records
        }
    }

    /// Stores the records found for `cid` at `source` (ignored when empty).
    public func store(_ records: [ProviderRecord], for cid: CID, source: String) {
        guard !records.isEmpty else { return }
        let key = Self.key(cid, source)
        state.withLock { state in
            if state.entries[key] == nil { state.order.append(key) }
            state.entries[key] = (records, .now)
            while state.entries.count > capacity, !state.order.isEmpty {
                state.entries[state.order.removeFirst()] = nil
            }
        }
    }

    /// Number of entries held (expired ones included until read).
    public var count: Int { state.withLock { $0.entries.count } }

    private static func key(_ cid: CID, _ source: String) -> String {
        source + "\u{0}" + cid.multihash.bytes.map { String($0, radix: 16) }.joined(separator: ":")
    }
}
