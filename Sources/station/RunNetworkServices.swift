import ArgumentParser
import Foundation
import IPFS
import Libp2p
import Multiformats
import SandboxEngine
import StationConfig
import StationHost

/// `station run`'s peer-to-peer and IPFS options: the shared node and block store a module may use.
struct RunNetworkOptions: ParsableArguments {
    @Option(name: .customLong("allow-p2p"), help: ArgumentHelp("Let the module dial and handle this libp2p protocol id; a trailing '*' grants a prefix (repeatable).", valueName: "PROTOCOL"))
    var allowP2P: [String] = []

    @Flag(name: .customLong("p2p-local"), help: "Let the module dial peers on loopback and private addresses.")
    var p2pLocal = false

    @Option(name: .customLong("p2p-listen"), help: ArgumentHelp("Where the node listens for peers (default /ip4/127.0.0.1/tcp/0 when p2p or IPFS is granted; repeatable).", valueName: "MULTIADDR"))
    var p2pListen: [String] = []

    @Option(name: .customLong("peer"), help: ArgumentHelp("Connect to this peer at start; IPFS content is also asked from it over Bitswap (repeatable).", valueName: "MULTIADDR"))
    var peers: [String] = []

    @Flag(name: .customLong("allow-ipfs"), help: "Let the module get, put and pin IPFS content in the shared block store.")
    var allowIPFS = false

    @Option(name: .long, help: ArgumentHelp("Block store folder for --allow-ipfs (default: ipfs/ in the state folder: \(StationFolders.rule(.state))).", valueName: "DIR"))
    var repo: String?

    @Option(name: .long, help: ArgumentHelp("A trustless gateway to fetch IPFS content from when no peer has it (repeatable, tried in order).", valueName: "URL"))
    var gateway: [String] = []

    @Option(name: .customLong("ipfs-quota"), help: LimitOptionHelp.help("ipfs-quota"))
    var ipfsQuota: String?

    /// `--router` and `--bootstrap`, defined once with `station ipfs get`'s.
    @OptionGroup var lookup: IPFSLookupOptions

    var wantsNode: Bool { !allowP2P.isEmpty || allowIPFS }

    func validate() throws {
        for pattern in allowP2P where !pattern.hasPrefix("/") {
            throw ValidationError("--allow-p2p takes a protocol id starting with '/', not '\(pattern)'")
        }
        for text in p2pListen + peers {
            do { _ = try Multiaddr(text) } catch { throw ValidationError("'\(text)' is not a multiaddr: \(error)") }
        }
        if !gateway.isEmpty && !allowIPFS { throw ValidationError("--gateway needs --allow-ipfs") }
        if !(lookup.routers.isEmpty && lookup.bootstrap.isEmpty) && !allowIPFS {
            throw ValidationError("--router and --bootstrap need --allow-ipfs")
        }
        for url in lookup.routers {
            do { _ = try DelegatedRoutingClient.checkedBase(url) } catch { throw ValidationError("--router: \(error.description)") }
        }
        for text in lookup.bootstrap {
            guard let address = try? Multiaddr(text), address.peerID != nil else {
                throw ValidationError("--bootstrap takes a multiaddr ending in /p2p/ID, not '\(text)'")
            }
        }
    }

    /// Applies the grants to a module's configuration.
    func apply(to configuration: inout StationModuleConfiguration) {
        configuration.p2p = P2PGrants(protocols: allowP2P, allowPrivateAddresses: p2pLocal)
        configuration.ipfs = allowIPFS
    }
}

/// The node, Bitswap and block store of one `station run`, started only when granted.
enum RunNetworkServices {
    /// Starts what `options` grant; prints the node's addresses on stderr.
    /// `ipfsQuotaBytes` is the module's block store quota (``ResolvedLimits``); provider addresses
    /// found through `--router`/`--bootstrap` must be public unless `allowNet` (the run's
    /// `--allow-net`) admits them.
    static func start(_ options: RunNetworkOptions, module: String, ipfsQuotaBytes: UInt64?, allowNet: [String] = []) async throws -> SharedServices {
        guard options.wantsNode else { return .none }
        var store: BlockStore.Configuration?
        if options.allowIPFS {
            var configuration = BlockStore.Configuration(directory: IPFSSupport.repoFolder(options.repo))
            if let quota = ipfsQuotaBytes { configuration.moduleQuotas[module] = Int64(clamping: quota) }
            store = configuration
        }
        let services = try await SharedServices.start(
            identity: try P2PSupport.storedIdentity(nil),
            listen: try options.p2pListen.map { try Multiaddr($0) },
            peers: try options.peers.map { try Multiaddr($0) },
            store: store, gateways: options.gateway,
            routers: options.lookup.routers, allowNet: allowNet,
            dhtBootstrap: try options.lookup.bootstrap.map { try Multiaddr($0) }
        ) { peer, error in
            Diagnostics.report(module: module, message: "could not connect to peer \(peer): \(error)")
        }
        if let host = services.node?.host {
            for address in host.listenAddresses {
                Diagnostics.report(module: module, message: "p2p node listening on \(address)/p2p/\(host.peerID)")
            }
        }
        return services
    }
}
