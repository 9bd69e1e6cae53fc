import Bitswap
import Foundation
import IPFS
import IPFSGateway
import Libp2p
import Multiformats
import NIOPosix

/// The libp2p node and IPFS content one process shares between its modules: `station run` starts
/// them for its one module, `station daemon` for all of its modules.
public final class SharedServices: Sendable {
    /// The node, when started.
    public let node: SharedP2PNode?
    /// The block store with Bitswap on the node and the gateways, when a store was asked for.
    public let content: SharedContent?
    private let bitswap: Bitswap?
    private let collector: StoreCollector?
    private let announcing: Task<Void, Never>?

    private init(node: SharedP2PNode?, content: SharedContent?, bitswap: Bitswap?, collector: StoreCollector?,
                 announcing: Task<Void, Never>? = nil) {
        self.node = node
        self.content = content
        self.bitswap = bitswap
        self.collector = collector
        self.announcing = announcing
    }

    /// Nothing started.
    public static let none = SharedServices(node: nil, content: nil, bitswap: nil, collector: nil)

    /// Where the node listens when no address is given.
    public static let defaultListenAddress = "/ip4/127.0.0.1/tcp/0"

    /// Starts a node with `identity` listening on `listen` (``defaultListenAddress`` when empty),
    /// connects to `peers` (a peer that cannot be reached is passed to `peerFailed`, and start-up
    /// goes on), and, when `store` is given, opens the block store with Bitswap on the node
    /// (asking every connected peer), the delegated `routers` at the same time (their providers'
    /// addresses must pass ``ContentRoutingPolicy``, widened by `allowNet`), a DHT client
    /// bootstrapped from `dhtBootstrap`, and the trustless `gateways` after them. With `provide`
    /// (and a DHT), every pinned root is announced in the DHT with the node's listen addresses
    /// (``ContentAnnouncer``; off by default, see there why). With `dhtServer` the DHT runs (even
    /// without bootstrap peers) in server mode, answering others' requests (off by default).
    /// On failure nothing is left running.
    ///
    /// A shared store always has a cap: a configuration without one (capacity `Int64.max`) gets
    /// ``StoreCollector/defaultCapacity``. Its garbage (blocks nothing pins or holds) is collected
    /// at start, every `collectEvery`, and by any put that would pass the cap.
    public static func start(
        identity: PrivateKey, listen: [Multiaddr], peers: [Multiaddr], store: BlockStore.Configuration?, gateways: [String],
        routers: [String] = [], allowNet: [String] = [], dhtBootstrap: [Multiaddr] = [], provide: Bool = false, dhtServer: Bool = false,
        collectEvery: Duration = StoreCollector.defaultInterval,
        peerFailed: (Multiaddr, any Error) -> Void
    ) async throws -> SharedServices {
        let host = Libp2pHost(identity: identity, group: MultiThreadedEventLoopGroup.singleton)
        do {
            for address in listen.isEmpty ? [try Multiaddr(defaultListenAddress)] : listen {
                _ = try await host.listen(on: address)
            }
        } catch {
            await host.close()
            throw SharedServicesError.node("\(error)")
        }
        for peer in peers {
            do {
                _ = try await host.connect(to: peer)
            } catch {
                peerFailed(peer, error)
            }
        }
        let node = SharedP2PNode(host: host)
        guard var store else { return SharedServices(node: node, content: nil, bitswap: nil, collector: nil) }
        if store.capacity == .max { store.capacity = StoreCollector.defaultCapacity }
        var bitswap: Bitswap?
        do {
            let blockStore = try BlockStore(store)
            let started = Bitswap(host: host, store: blockStore)
            started.start()
            bitswap = started
            let gateway = gateways.isEmpty ? nil : try TrustlessGatewayClient(gateways: gateways)
            let providerPolicy = try ContentRoutingPolicy.providers(allowNet: allowNet)
            let routing = routers.isEmpty ? nil : try DelegatedRoutingClient(
                routers: routers, policy: ContentRoutingPolicy.routers(routers, allowNet: allowNet))
            var dht: KadDHT?
            var announcing: Task<Void, Never>?
            if !dhtBootstrap.isEmpty || dhtServer {
                let client = KadDHT(host: host, configuration: KadDHTConfiguration(serverMode: dhtServer))
                let announcer = provide ? ContentAnnouncer(dht: client, roots: { blockStore.pinnedRoots }, addresses: { host.listenAddresses }) : nil
                // Fills the routing table in the background; lookups before it ends start from what is known.
                announcing = Task {
                    await client.bootstrap(dhtBootstrap)
                    await announcer?.run()
                }
                dht = client
            }
            let content = SharedContent(store: blockStore, bitswap: started, gateway: gateway, routing: routing, dht: dht,
                                        providerPolicy: providerPolicy) {
                Array(Set(host.allConnections.map(\.remotePeer)))
            }
            let collector = StoreCollector(store: blockStore, every: collectEvery)
            return SharedServices(node: node, content: content, bitswap: started, collector: collector, announcing: announcing)
        } catch {
            await bitswap?.stop()
            await host.close()
            throw SharedServicesError.store(path: store.directory.path, reason: "\(error)")
        }
    }

    /// Stops the garbage collector, Bitswap and the gateway client, and closes the node.
    public func stop() async {
        announcing?.cancel()
        await collector?.stop()
        await bitswap?.stop()
        await content?.gateway?.shutdown()
        await content?.router.routing?.shutdown()
        await node?.host.close()
    }
}

/// A shared service could not start.
public enum SharedServicesError: Error, Sendable, CustomStringConvertible {
    case node(String)
    case store(path: String, reason: String)

    public var description: String {
        switch self {
        case .node(let reason): "cannot start the p2p node: \(reason)"
        case .store(let path, let reason): "cannot open the block store in \(path): \(reason)"
        }
    }
}
