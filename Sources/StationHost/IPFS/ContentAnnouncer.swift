import Foundation
import IPFS
import Libp2p
import Multiformats

/// What one round of ``ContentAnnouncer/announceAll()`` did.
public struct ContentAnnouncement: Sendable, Equatable {
    /// Roots announced (pinned roots at the start of the round).
    public var roots = 0
    /// ADD_PROVIDER messages delivered, over all roots.
    public var delivered = 0
    /// Roots no DHT peer took (no peer found, or every delivery failed).
    public var unannounced: [CID] = []
}

/// Makes the content the station pins findable: announces every pinned root to the DHT
/// (ADD_PROVIDER to the `k` peers closest to its multihash, see ``KadDHT/provide(_:addresses:)``)
/// at start and again every `interval` (kubo re-provides every 22 hours; records live 48 hours).
///
/// Providing is **off unless the operator turns it on** (`[ipfs] provide = true`,
/// `station ipfs serve --provide`): a provider record tells the whole network to dial the
/// addresses in it. A machine others cannot reach (behind NAT, on loopback or a private network)
/// would advertise addresses that lead nowhere, so every lookup of its content would spend a dial
/// and its timeout on it before trying a real provider — and it would announce what it holds to
/// anyone asking. Only pinned roots are announced (not every block), which keeps a large store's
/// announcements to one lookup per pinned DAG.
public final class ContentAnnouncer: Sendable {
    /// The DHT client announcements go through.
    public let dht: KadDHT
    /// Time between rounds.
    public let interval: Duration
    /// Roots announced at once (each is a FIND_NODE lookup and up to `k` messages).
    public let concurrency: Int
    private let roots: @Sendable () -> [CID]
    private let addresses: @Sendable () -> [Multiaddr]

    /// Creates an announcer.
    /// - Parameters:
    ///   - roots: the roots to announce, read at the start of every round (e.g. `store.pinnedRoots`).
    ///   - addresses: where others can dial this node, read at every round (its listen addresses).
    public init(dht: KadDHT, interval: Duration = .seconds(22 * 3600), concurrency: Int = 4,
                roots: @escaping @Sendable () -> [CID], addresses: @escaping @Sendable () -> [Multiaddr]) {
        self.dht = dht
        self.interval = interval
        self.concurrency = max(1, concurrency)
        self.roots = roots
        self.addresses = addresses
    }

    /// Announces every root once. Without addresses nothing is announced (a record nobody can
    /// dial is worse than none).
    public func announceAll() async -> ContentAnnouncement {
        let roots = roots()
        var result = ContentAnnouncement(roots: roots.count)
        let addresses = addresses()
        guard !addresses.isEmpty else {
            result.unannounced = roots
            return result
        }
        await withTaskGroup(of: (CID, KadProvideReport).self) { group in
            var pending = roots[...]
            func startNext() {
                guard let root = pending.popFirst() else { return }
                group.addTask { (root, await self.dht.provide(root.multihash, addresses: addresses)) }
            }
            for _ in 0 ..< concurrency { startNext() }
            while let (root, report) = await group.next() {
                result.delivered += report.announced
                if report.announced == 0 { result.unannounced.append(root) }
                startNext()
            }
        }
        return result
    }

    /// Announces now and every `interval` until the calling task is cancelled; `onRound` hears of
    /// each round.
    public func run(onRound: @Sendable (ContentAnnouncement) -> Void = { _ in }) async {
        while !Task.isCancelled {
            onRound(await announceAll())
            try? await Task.sleep(for: interval)
        }
    }
}
