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

    /// Makes the DAG under `root` complete in the store and holds it for `module` (as a pin) until
    /// ``release(_:module:)``. Local content is used as is; otherwise ``router`` asks the connected
    /// peers and the delegated routers' providers at once, then the gateways.
    func acquire(_ root: CID, module: String) async throws {
        let alreadyPinned = store.isPinned(root, module: module)
        if holds.take(root, module: module, wasPinned: alreadyPinned) { return }
        do {
            try await makeAvailable(root, module: module)
        } catch {
            _ = holds.give(root, module: module)
            throw error
        }
    }

    /// Drops a hold taken by ``acquire(_:module:)``; the pin goes when the last hold does, unless
    /// the module pinned the root itself before.
    func release(_ root: CID, module: String) {
        if holds.give(root, module: module) {
            try? store.unpin(root, module: module)
        }
    }

    /// Marks an explicit module pin, so that a hold ending later does not remove it.
    func notePinned(_ root: CID, module: String) { holds.markPinned(root, module: module) }

    private func makeAvailable(_ root: CID, module: String) async throws {
        do {
            try store.pin(root, module: module)
            return
        } catch let error as IPFSError {
            switch error {
            case .incompleteDAG, .blockNotFound: break
            default: throw error
            }
        }
        do {
            _ = try await router.fetch(GatewayRequest(root: root), module: module)
        } catch let error as ContentRouterError {
            throw StationError(.notFound, error.description)
        }
    }
}

/// Counts holds per (module, root); remembers roots the module had pinned itself.
final class HoldCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    private var explicit: Set<String> = []

    private static func key(_ root: CID, _ module: String) -> String { "\(module)\u{0}\(root)" }

    /// Takes a hold; returns true when one already existed (the content is already pinned).
    func take(_ root: CID, module: String, wasPinned: Bool) -> Bool {
        lock.withLock {
            let key = Self.key(root, module)
            let existing = counts[key, default: 0]
            counts[key] = existing + 1
            if existing == 0 && wasPinned { explicit.insert(key) }
            return existing > 0
        }
    }

    /// Gives a hold back; returns true when the pin should now be removed.
    func give(_ root: CID, module: String) -> Bool {
        lock.withLock {
            let key = Self.key(root, module)
            guard let count = counts[key] else { return false }
            if count > 1 {
                counts[key] = count - 1
                return false
            }
            counts[key] = nil
            return explicit.remove(key) == nil
        }
    }

    func markPinned(_ root: CID, module: String) {
        lock.withLock { _ = explicit.insert(Self.key(root, module)) }
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
