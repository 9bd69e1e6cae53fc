import ArgumentParser
import Bitswap
import Foundation
import IPFS
import IPFSGateway
import Libp2p
import Multiformats
import StationConfig
import StationHost

/// `station ipfs serve`: serves the repo as a trustless HTTP gateway until SIGINT/SIGTERM.
struct IPFSServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the repo over a trustless HTTP gateway and Bitswap until SIGINT/SIGTERM.",
        discussion: """
            Prints the gateway's base URL as the first line as soon as it listens, so scripts can \
            read it, then each Bitswap listen address with /p2p/<peer ID> (one per line). The \
            gateway answers GET /ipfs/{cid}[/path] with format=car|raw (or the Accept header), \
            dag-scope=block|entity|all and entity-bytes=from:to. Bitswap (1.2.0, 1.1.0, 1.0.0) \
            runs on Station's libp2p node with the identity of `station p2p` (--state). Port 0 \
            picks a free port. With --provide, every pinned root is announced in the DHT (found \
            through the --bootstrap peers) with the Bitswap listen addresses, at start and every \
            --provide-interval; only do this on a machine others can dial at those addresses. \
            With --dht-server the node also answers other peers' DHT requests (FIND_NODE, \
            GET_PROVIDERS, ADD_PROVIDER) and holds the provider records they announce, in \
            memory; the same caution applies. \
            Exit status 0 after SIGINT or SIGTERM.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Address to listen on (default 127.0.0.1:8080; IPv6 as [::1]:8080).", valueName: "HOST:PORT"))
    var listen = "127.0.0.1:8080"

    @Option(name: .customLong("p2p-listen"), help: ArgumentHelp("Bitswap listen address (repeatable; default /ip4/127.0.0.1/tcp/0).", valueName: "MULTIADDR"))
    var p2pListen: [String] = []

    @Flag(name: .customLong("no-bitswap"), help: "Serve only the HTTP gateway.")
    var noBitswap = false

    @Flag(name: .customLong("provide"), help: "Announce the pinned roots in the DHT as provided by this node (off by default: only for a node others can dial; needs --bootstrap).")
    var provide = false

    @Flag(name: .customLong("dht-server"), help: "Run the DHT in server mode: answer other peers' DHT requests and hold their provider records (off by default: only for a node others can dial).")
    var dhtServer = false

    @Option(name: .customLong("bootstrap"), help: ArgumentHelp("DHT bootstrap peer for --provide and --dht-server, /ip4/.../tcp/.../p2p/ID (repeatable).", valueName: "MULTIADDR"))
    var bootstrap: [String] = []

    @Option(name: .customLong("provide-interval"), help: ArgumentHelp("Time between announcements with --provide (default 22h, as kubo).", valueName: "DURATION"))
    var provideInterval = "22h"

    @Option(name: .long, help: ArgumentHelp("State folder holding the libp2p identity.key (default: \(StationFolders.rule(.state))).", valueName: "DIR"))
    var state: String?

    @OptionGroup var repoOptions: IPFSRepoOptions

    func run() async throws {
        do {
            let (host, port) = try Self.hostAndPort(listen)
            let addresses = try (p2pListen.isEmpty ? [P2PSupport.defaultListenAddress] : p2pListen)
                .map { try P2PSupport.multiaddr($0, what: "--p2p-listen address") }
            let bootstrapAddresses = try bootstrap.map { try P2PSupport.multiaddr($0, what: "--bootstrap address") }
            let interval = try IPFSSupport.duration(provideInterval, what: "--provide-interval")
            if provide && (noBitswap || bootstrapAddresses.isEmpty) {
                throw IPFSFailure.badArgument("--provide needs Bitswap and at least one --bootstrap peer")
            }
            if dhtServer && noBitswap {
                throw IPFSFailure.badArgument("--dht-server runs on the libp2p node: it cannot be combined with --no-bitswap")
            }
            let store = try repoOptions.openStore()
            // Catch signals before announcing anything: a script may stop us right after reading.
            let signals = SignalWaiter()
            let server: GatewayHTTPServer
            do {
                server = try await GatewayHTTPServer.start(serving: store, host: host, port: port)
            } catch {
                throw IPFSFailure.failed("cannot listen on \(listen): \(error)")
            }
            IPFSSupport.printNow(server.baseURL)
            do {
                if noBitswap {
                    await signals.wait()
                } else {
                    try await serveBitswap(store, on: addresses, bootstrap: bootstrapAddresses, provideInterval: interval, until: signals)
                }
            } catch {
                await server.close()
                throw error
            }
            await server.close()
        } catch {
            throw ExitCode(IPFSSupport.report(error))
        }
    }

    /// Runs Bitswap on a libp2p host listening on `addresses` until a signal arrives; with
    /// `--provide`, announces the pinned roots in the DHT meanwhile.
    private func serveBitswap(_ store: BlockStore, on addresses: [Multiaddr], bootstrap: [Multiaddr], provideInterval: Duration,
                              until signals: SignalWaiter) async throws {
        let identity = try P2PSupport.storedIdentity(state)
        try await P2PSupport.withHost(identity: identity) { host in
            let bitswap = Bitswap(host: host, store: store)
            bitswap.start()
            var bound: [Multiaddr] = []
            for address in addresses {
                do {
                    let listening = try await host.listen(on: address)
                    bound.append(listening)
                    IPFSSupport.printNow(P2PSupport.withPeer(listening, host.peerID).description)
                } catch {
                    await bitswap.stop()
                    throw IPFSFailure.failed("cannot listen on \(address): \(P2PSupport.describe(error))")
                }
            }
            var announcing: Task<Void, Never>?
            // Held until the end: the server's stream handlers do not keep the DHT alive.
            var dht: KadDHT?
            if provide || dhtServer {
                let running = KadDHT(host: host, configuration: KadDHTConfiguration(serverMode: dhtServer))
                dht = running
                let announcer = provide ? ContentAnnouncer(dht: running, interval: provideInterval, roots: { store.pinnedRoots }, addresses: { [bound] in bound }) : nil
                announcing = Task {
                    await running.bootstrap(bootstrap)
                    await announcer?.run { round in
                        let missed = round.unannounced.isEmpty ? "" : "; not announced: \(round.unannounced.map(\.description).joined(separator: " "))"
                        IPFSSupport.printError("provided \(round.roots) root\(round.roots == 1 ? "" : "s") to \(round.delivered) DHT peer\(round.delivered == 1 ? "" : "s")\(missed)")
                    }
                }
            }
            await signals.wait()
            announcing?.cancel()
            await announcing?.value
            dht?.stopServing()
            await bitswap.stop()
        }
    }

    /// Splits `host:port` or `[v6]:port`.
    static func hostAndPort(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0 ... 65535).contains(port)
        else { throw IPFSFailure.badArgument("--listen takes HOST:PORT, not '\(text)'") }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw IPFSFailure.badArgument("--listen takes HOST:PORT, not '\(text)'") }
        return (host, port)
    }
}
