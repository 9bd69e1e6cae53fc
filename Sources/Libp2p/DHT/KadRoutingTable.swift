import Crypto
import Multiformats
import Synchronization

/// A position in the Kademlia key space: SHA-256 of a key (a peer ID's bytes or a multihash), as
/// go-libp2p-kad-dht computes it, so distances agree with kubo's.
public struct KadKey: Sendable, Hashable, Comparable {
    /// The 32 hashed bytes.
    public let bytes: [UInt8]

    /// The position of `key` (raw key bytes, hashed here).
    public init(hashing key: some Collection<UInt8>) {
        bytes = Array(SHA256.hash(data: Array(key)))
    }

    /// The position of a peer.
    public init(peer: PeerID) { self.init(hashing: peer.bytes) }

    /// XOR distance to `other`, as 32 bytes compared big-endian.
    public func distance(to other: KadKey) -> [UInt8] {
        zip(bytes, other.bytes).map { $0 ^ $1 }
    }

    /// Leading zero bits of the distance to `other` (256 when equal): the bucket index.
    public func commonPrefixLength(with other: KadKey) -> Int {
        for (index, (a, b)) in zip(bytes, other.bytes).enumerated() where a != b {
            return index * 8 + (a ^ b).leadingZeroBitCount
        }
        return 256
    }

    /// Byte-wise order (for sorting by distance).
    public static func < (lhs: KadKey, rhs: KadKey) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }

    /// True when `a` is closer to `self` than `b`.
    public func isCloser(_ a: KadKey, than b: KadKey) -> Bool {
        distance(to: a).lexicographicallyPrecedes(distance(to: b))
    }
}

/// A Kademlia routing table: 256 k-buckets by common prefix length with our own key, each
/// holding at most `k` peers in least-recently-seen order. A full bucket keeps its old peers
/// (they have proven to stay up; go-libp2p-kad-dht does the same) and refuses the new one.
/// Memory is bounded by `256 × k` entries, each a peer ID, its hashed key and a few addresses.
public final class KadRoutingTable: Sendable {
    /// One entry.
    public struct Entry: Sendable, Equatable {
        /// The peer.
        public var peer: PeerID
        /// Its position.
        public var key: KadKey
        /// Its addresses (at most ``KadMessage/maxAddressesPerPeer``).
        public var addresses: [Multiaddr]
    }

    /// Bucket size (20 in the IPFS DHT).
    public let k: Int
    /// Our own position.
    public let local: KadKey
    private let localPeer: PeerID
    private let buckets = Mutex<[[Entry]]>(Array(repeating: [], count: 257))

    /// Creates an empty table around `local`.
    public init(local: PeerID, k: Int = 20) {
        self.k = max(1, k)
        localPeer = local
        self.local = KadKey(peer: local)
    }

    /// Adds or refreshes `peer` (moved to the most recently seen end, addresses replaced when
    /// given). Returns false when its bucket is full or it is ourselves.
    @discardableResult
    public func add(_ peer: PeerID, addresses: [Multiaddr]) -> Bool {
        guard peer != localPeer else { return false }
        let key = KadKey(peer: peer)
        let index = local.commonPrefixLength(with: key)
        let kept = Array(addresses.prefix(KadMessage.maxAddressesPerPeer))
        return buckets.withLock { buckets in
            if let position = buckets[index].firstIndex(where: { $0.peer == peer }) {
                var entry = buckets[index].remove(at: position)
                if !kept.isEmpty { entry.addresses = kept }
                buckets[index].append(entry)
                return true
            }
            guard buckets[index].count < k else { return false }
            buckets[index].append(Entry(peer: peer, key: key, addresses: kept))
            return true
        }
    }

    /// Removes `peer` (it failed to answer).
    public func remove(_ peer: PeerID) {
        let index = local.commonPrefixLength(with: KadKey(peer: peer))
        buckets.withLock { $0[index].removeAll { $0.peer == peer } }
    }

    /// The `count` known peers closest to `target`.
    public func closest(to target: KadKey, count: Int) -> [Entry] {
        let all = buckets.withLock { $0.flatMap { $0 } }
        return Array(all.sorted { target.isCloser($0.key, than: $1.key) }.prefix(count))
    }

    /// The entry for `peer`, if known.
    public func entry(for peer: PeerID) -> Entry? {
        let index = local.commonPrefixLength(with: KadKey(peer: peer))
        return buckets.withLock { $0[index].first { $0.peer == peer } }
    }

    /// Number of peers in the table.
    public var count: Int { buckets.withLock { $0.reduce(0) { $0 + $1.count } } }

    /// Peers per non-empty bucket, by common prefix length.
    public var bucketSizes: [Int: Int] {
        buckets.withLock { buckets in
            var sizes: [Int: Int] = [:]
            for (index, bucket) in buckets.enumerated() where !bucket.isEmpty { sizes[index] = bucket.count }
            return sizes
        }
    }
}
