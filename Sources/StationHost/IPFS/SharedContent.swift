import Bitswap
import Foundation
import IPFS
import IPFSGateway
import Libp2p
import Multiformats

/// The IPFS content every module in the process shares: one block store, Bitswap on the shared
/// libp2p node, and trustless gateways to fall back on.
public final class SharedContent: Sendable {
    /// The block store (quotas are per module).
    public let store: BlockStore
    /// Bitswap on the shared node, when there is one.
    public let bitswap: Bitswap?
    /// Gateways tried after Bitswap and the routers, when configured.
    public let gateway: TrustlessGatewayClient?
    /// Finds and fetches what the store lacks: connected peers and delegated routers at once,
    /// then the gateways.
    public let router: ContentRouter
    private let holds = HoldCounter()

    /// - Parameters:
    ///   - providers: the peers Bitswap asks at once (for example every connected peer).
    ///   - routing: delegated routers asked for providers at the same time.
    ///   - dht: the DHT client, searched for providers at the same time.
    ///   - providerPolicy: where provider addresses named by routers may point.
    public init(store: BlockStore, bitswap: Bitswap? = nil, gateway: TrustlessGatewayClient? = nil,
                routing: DelegatedRoutingClient? = nil, dht: KadDHT? = nil, providerPolicy: NetworkPolicy = .publicInternet,
                providers: @escaping @Sendable () -> [PeerID] = { [] }) {
        self.store = store
        self.bitswap = bitswap
        self.gateway = gateway
        router = ContentRouter(store: store, bitswap: bitswap, routing: routing, dht: dht, gateways: gateway,
                               providerPolicy: providerPolicy, connectedPeers: providers)
    }

    /// Makes the DAG under `root` complete in the store and holds it for `module` until
    /// ``release(_:module:)``. Local content is held in memory only (nothing is written, so a read
    /// works while the store's disk cannot be written); otherwise ``router`` asks the connected
    /// peers and the delegated routers' providers at once, then the gateways, and pins what it
    /// fetched until the last hold goes.
    func acquire(_ root: CID, module: String) async throws {
        if holds.take(root, module: module) { return }
        do {
            if let local = try Self.holdLocal(root, module: module, in: store) {
                holds.attach(.memory(local), root: root, module: module)
                return
            }
            let alreadyPinned = store.isPinned(root, module: module)
            do {
                _ = try await router.fetch(GatewayRequest(root: root), module: module)
            } catch let error as ContentRouterError {
                throw StationError(.notFound, error.description)
            }
            holds.attach(alreadyPinned ? .modulePin : .fetchPin, root: root, module: module)
        } catch {
            release(root, module: module)
            throw error
        }
    }

    /// Drops a hold taken by ``acquire(_:module:)``; what the holds kept goes with the last one
    /// (a pin the module made itself stays).
    func release(_ root: CID, module: String) {
        switch holds.give(root, module: module) {
        case .memory(let hold): store.release(hold)
        case .fetchPin: try? store.unpin(root, module: module)
        case .modulePin, nil: break
        }
    }

    /// Gets the blocks a `dag-scope=block` or `dag-scope=entity` request selects (those of its
    /// path, then what the scope takes under its end) and holds them for `module` without pinning
    /// anything: local blocks are held as they are (the rest of the DAG need not be local), missing
    /// ones are fetched by ``router`` (see ``ContentRouter/fetchScoped(_:module:observer:)``).
    /// - Returns: the held blocks; give them back with ``releaseScoped(_:module:)``.
    func acquireScoped(_ request: GatewayRequest, module: String) async throws -> [CID] {
        do {
            return try await router.fetchScoped(request, module: module).held
        } catch let error as ContentRouterError {
            throw StationError(.notFound, error.description)
        }
    }

    /// Gives back the holds of ``acquireScoped(_:module:)``.
    func releaseScoped(_ held: [CID], module: String) {
        for cid in held { store.release(cid, module: module) }
    }

    /// Marks an explicit module pin, so that a hold ending later does not remove it.
    func notePinned(_ root: CID, module: String) { holds.markPinned(root, module: module) }

    /// An in-memory hold on `root` when its whole DAG is in the store; nil when blocks are missing.
    private static func holdLocal(_ root: CID, module: String, in store: BlockStore) throws -> BlockStore.DAGHold? {
        do {
            return try store.holdDAG(root, module: module)
        } catch let error as IPFSError {
            switch error {
            case .incompleteDAG, .blockNotFound: return nil
            default: throw error
            }
        }
    }
}

/// Counts holds per (module, root) and what the first one took: an in-memory hold on local
/// content, or a pin made for a fetch (which the module may since have pinned itself).
final class HoldCounter: @unchecked Sendable {
    /// What keeps the content while holds last.
    enum Keeper {
        /// Local content held in memory by the store.
        case memory(BlockStore.DAGHold)
        /// A pin the fetch made; removed with the last hold.
        case fetchPin
        /// A pin the module made itself; kept.
        case modulePin
    }

    private struct Entry {
        var count: Int
        var keeper: Keeper?
        /// The module pinned the root itself while the first hold was still being taken.
        var pinnedMeanwhile = false
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]

    private static func key(_ root: CID, _ module: String) -> String { "\(module)\u{0}\(root)" }

    /// Takes a hold; returns true when one already existed.
    func take(_ root: CID, module: String) -> Bool {
        lock.withLock {
            let key = Self.key(root, module)
            let existing = entries[key]?.count ?? 0
            entries[key, default: Entry(count: 0)].count = existing + 1
            return existing > 0
        }
    }

    /// Records what the first hold took.
    func attach(_ keeper: Keeper, root: CID, module: String) {
        lock.withLock {
            let key = Self.key(root, module)
            guard let entry = entries[key] else { return }
            if case .fetchPin = keeper, entry.pinnedMeanwhile {
                entries[key]?.keeper = .modulePin
            } else {
                entries[key]?.keeper = keeper
            }
        }
    }

    /// Gives a hold back; returns what to let go of when it was the last one.
    func give(_ root: CID, module: String) -> Keeper? {
        lock.withLock {
            let key = Self.key(root, module)
            guard let entry = entries[key] else { return nil }
            if entry.count > 1 {
                entries[key]?.count = entry.count - 1
                return nil
            }
            entries[key] = nil
            return entry.keeper
        }
    }

    /// The module pinned `root` itself: a fetch pin becomes the module's, kept after the holds.
    func markPinned(_ root: CID, module: String) {
        lock.withLock {
            let key = Self.key(root, module)
            guard let entry = entries[key] else { return }
            switch entry.keeper {
            case .fetchPin: entries[key]?.keeper = .modulePin
            case nil: entries[key]?.pinnedMeanwhile = true
            case .memory, .modulePin: break
            }
        }
    }
}

/// Maps IPFS, Bitswap and gateway failures to ABI errors.
enum ContentErrors {
    /// Failures another source cannot fix (quota, capacity, disk).
    static func isFinal(_ error: any Error) -> Bool {
        if let error = error as? IPFSError {
            switch error {
            case .moduleQuotaExceeded, .storeCapacityExceeded, .io: return true
            default: return false
            }
        }
        return false
    }

    static func translate(_ error: any Error, doing what: String) -> StationError {
        if let error = error as? StationError { return error }
        if error is CancellationError { return StationError(.cancelled, "\(what) was cancelled") }
        if let error = error as? IPFSError {
            switch error {
            case .moduleQuotaExceeded, .storeCapacityExceeded:
                return StationError(.quotaExceeded, "\(what): \(error)")
            case .blockNotFound, .pathNotFound, .incompleteDAG, .notPinned:
                return StationError(.notFound, "\(what): \(error)")
            case .blockTooLarge, .tooManyLinks, .tooDeep:
                return StationError(.tooLarge, "\(what): \(error)")
            case .wrongNodeKind, .unsafeEntryName, .rangeNotSatisfiable, .invalidOption:
                return StationError(.invalidArgument, "\(what): \(error)")
            default:
                return StationError(.io, "\(what): \(error)")
            }
        }
        return StationError(.io, "\(what): \(error)")
    }
}

extension SharedContent {
    /// Fetches the UnixFS file at `root` (local store, then Bitswap peers, then gateways), keeps it
    /// pinned for `module`, and returns its bytes. Every block is checked against its CID on the
    /// way in. Fails when the file is larger than `maxBytes`.
    public func fetchFile(_ root: CID, module: String, maxBytes: Int) async throws -> [UInt8] {
        try await acquire(root, module: module)
        notePinned(root, module: module)
        var bytes: [UInt8] = []
        try await UnixFSExporter(provider: store).read(root) { chunk in
            guard bytes.count + chunk.count <= maxBytes else {
                throw StationError(.tooLarge, "\(root) is larger than \(maxBytes) bytes")
            }
            bytes += chunk
        }
        return bytes
    }
}
