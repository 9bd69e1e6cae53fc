import ArgumentParser
import Bitswap
import Foundation
import IPFS
import IPFSGateway
import IPFSRouting
import Libp2p
import Multiformats
import StationHost

/// Where providers are looked up: one definition of `--router` and `--bootstrap` for
/// `station ipfs get`, `station ipfs providers` and `station run`.
struct IPFSLookupOptions: ParsableArguments {
    @Option(name: .customLong("router"), help: ArgumentHelp("Delegated routing endpoint (HTTP routing v1 base URL, e.g. https://cid.contact), asked for providers (repeatable).", valueName: "URL"))
    var routers: [String] = []

    @Option(name: .customLong("bootstrap"), help: ArgumentHelp("DHT bootstrap peer, /ip4/.../tcp/.../p2p/ID: connected to, asked over Bitswap, and the start of DHT provider lookups (repeatable).", valueName: "MULTIADDR"))
    var bootstrap: [String] = []

    /// The bootstrap peers as multiaddrs (each must end in `/p2p/ID`).
    func bootstrapAddresses() throws -> [Multiaddr] {
        try bootstrap.map { try P2PSupport.multiaddr($0, what: "--bootstrap address") }
    }
}

/// The content-routing options shared by `station ipfs get` and `station ipfs providers`.
struct IPFSRoutingOptions: ParsableArguments {
    @OptionGroup var lookup: IPFSLookupOptions

    /// The `--router` URLs.
    var routers: [String] { lookup.routers }

    @Option(name: .customLong("allow-net"), help: ArgumentHelp("Extra network pattern provider addresses may point to (public addresses are always allowed), e.g. 127.0.0.1:* (repeatable).", valueName: "PATTERN"))
    var allowNet: [String] = []

    @Option(name: .customLong("routing-timeout"), help: ArgumentHelp("Longest time one router may take to answer (default 10s).", valueName: "DURATION"))
    var routingTimeout = "10s"

    @Flag(name: .customLong("verbose"), help: "Report each router's answer and where the content came from on stderr.")
    var verbose = false

    /// A routing client for the routers, or nil when none were given.
    func client() throws -> DelegatedRoutingClient? {
        guard !routers.isEmpty else { return nil }
        var configuration = DelegatedRoutingConfiguration()
        configuration.timeout = try IPFSSupport.duration(routingTimeout, what: "--routing-timeout")
        do {
            let policy = try ContentRoutingPolicy.routers(routers, allowNet: allowNet)
            return try DelegatedRoutingClient(routers: routers, policy: policy, configuration: configuration)
        } catch let error as DelegatedRoutingError {
            throw IPFSFailure.badArgument(error.description)
        } catch let error as StationError {
            throw IPFSFailure.badArgument(error.message)
        }
    }

    /// The policy provider addresses must pass.
    func providerPolicy() throws -> NetworkPolicy {
        do {
            return try ContentRoutingPolicy.providers(allowNet: allowNet)
        } catch {
            throw IPFSFailure.badArgument("invalid --allow-net: \(error.message)")
        }
    }
}

/// Builds the pieces a ``ContentRouter`` needs for one command and tears them down after.
/// `--peer`s are asked over Bitswap; `--bootstrap` peers too, and they seed the DHT client.
enum IPFSContentRouting {
    /// Runs `body` with a router over `store`: a throwaway libp2p node with Bitswap when there are
    /// peers or routers (connected to `peers` first; one that cannot be reached is reported and
    /// skipped), the routing client, and the gateways.
    static func withRouter<T: Sendable>(
        store: BlockStore, peers: [String], bootstrap: [String], options: IPFSRoutingOptions, gateways: [String],
        configuration: GatewayClientConfiguration, idleTimeout: Duration,
        _ body: (ContentRouter) async throws -> T
    ) async throws -> T {
        let addresses = try peers.map { try P2PSupport.multiaddr($0, what: "--peer address") }
        let bootstrapAddresses = try bootstrap.map { try P2PSupport.multiaddr($0, what: "--bootstrap address") }
        let routing = try options.client()
        let providerPolicy = try options.providerPolicy()
        let gatewayClient: TrustlessGatewayClient?
        do {
            gatewayClient = gateways.isEmpty ? nil : try TrustlessGatewayClient(gateways: gateways, configuration: configuration)
        } catch {
            throw IPFSFailure.badArgument(error.description)
        }
        do {
            let result = try await run(store: store, addresses: addresses, bootstrap: bootstrapAddresses, routing: routing, providerPolicy: providerPolicy,
                                       gateways: gatewayClient, configuration: configuration, idleTimeout: idleTimeout, body)
            await routing?.shutdown()
            await gatewayClient?.shutdown()
            return result
        } catch {
            await routing?.shutdown()
            await gatewayClient?.shutdown()
            throw error
        }
    }

    /// One dial of ``run``: the peer reached, or why not.
    private struct ConnectAttempt: Sendable {
        var address: Multiaddr
        var peer: PeerID?
        var failure: String?
    }

    private static func run<T: Sendable>(
        store: BlockStore, addresses: [Multiaddr], bootstrap: [Multiaddr], routing: DelegatedRoutingClient?, providerPolicy: NetworkPolicy,
        gateways gatewayClient: TrustlessGatewayClient?, configuration: GatewayClientConfiguration, idleTimeout: Duration,
        _ body: (ContentRouter) async throws -> T
    ) async throws -> T {
        var settings = ContentRouterSettings()
        settings.gatewayConfiguration = configuration
        guard !addresses.isEmpty || !bootstrap.isEmpty || routing != nil else {
            let router = ContentRouter(store: store, bitswap: nil, routing: nil, gateways: gatewayClient,
                                       providerPolicy: providerPolicy, settings: settings)
            return try await body(router)
        }
        var outcome: T?
        try await P2PSupport.withHost(identity: PrivateKey()) { host in
            let bitswap = Bitswap(host: host, store: store, configuration: BitswapConfiguration(fetchTimeout: idleTimeout.inSeconds))
            bitswap.start()
            var connected: [PeerID] = []
            // The children return a plain struct: a `(Multiaddr, Result<PeerID, any Error>)` tuple
            // here crashed release builds (Swift 6.3.1) in the runtime, copying the child's result
            // into the waiting parent (`station ipfs get --peer` died with SIGSEGV at once).
            await withTaskGroup(of: ConnectAttempt.self) { group in
                for address in addresses + bootstrap {
                    group.addTask {
                        do {
                            return ConnectAttempt(address: address, peer: try await host.connect(to: address).remotePeer, failure: nil)
                        } catch {
                            return ConnectAttempt(address: address, peer: nil, failure: "\(error)")
                        }
                    }
                }
                while let attempt = await group.next() {
                    if let peer = attempt.peer {
                        if !connected.contains(peer) { connected.append(peer) }
                    } else {
                        IPFSSupport.printError("could not connect to \(attempt.address): \(attempt.failure ?? "unknown error")")
                    }
                }
            }
            let peers = connected
            // The bootstrap peers seed the DHT's routing table (already connected above).
            var dht: KadDHT?
            if !bootstrap.isEmpty {
                let client = KadDHT(host: host)
                await client.bootstrap(bootstrap, lookUpSelf: false)
                dht = client
            }
            let router = ContentRouter(store: store, bitswap: bitswap, routing: routing, dht: dht, gateways: gatewayClient,
                                       providerPolicy: providerPolicy, settings: settings, connectedPeers: { peers })
            do {
                outcome = try await body(router)
                await bitswap.stop()
            } catch {
                await bitswap.stop()
                throw error
            }
        }
        guard let outcome else { throw IPFSFailure.failed("the fetch ended without a result") }
        return outcome
    }
}
