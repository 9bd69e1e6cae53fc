import ArgumentParser
import Bitswap
import Foundation
import IPFS
import IPFSGateway
import Libp2p
import Multiformats
import StationConfig

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
            picks a free port. Exit status 0 after SIGINT or SIGTERM.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Address to listen on (default 127.0.0.1:8080; IPv6 as [::1]:8080).", valueName: "HOST:PORT"))
    var listen = "127.0.0.1:8080"

    @Option(name: .customLong("p2p-listen"), help: ArgumentHelp("Bitswap listen address (repeatable; default /ip4/127.0.0.1/tcp/0).", valueName: "MULTIADDR"))
    var p2pListen: [String] = []

    @Flag(name: .customLong("no-bitswap"), help: "Serve only the HTTP gateway.")
    var noBitswap = false

    @Option(name: .long, help: ArgumentHelp("State folder holding the libp2p identity.key (default: \(StationFolders.rule(.state))).", valueName: "DIR"))
    var state: String?

    @OptionGroup var repoOptions: IPFSRepoOptions

    func run() async throws {
        do {
            let (host, port) = try Self.hostAndPort(listen)
            let addresses = try (p2pListen.isEmpty ? [P2PSupport.defaultListenAddress] : p2pListen)
                .map { try P2PSupport.multiaddr($0, what: "--p2p-listen address") }
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
                    try await serveBitswap(store, on: addresses, until: signals)
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

    /// Runs Bitswap on a libp2p host listening on `addresses` until a signal arrives.
    private func serveBitswap(_ store: BlockStore, on addresses: [Multiaddr], until signals: SignalWaiter) async throws {
        let identity = try P2PSupport.storedIdentity(state)
        try await P2PSupport.withHost(identity: identity) { host in
            let bitswap = Bitswap(host: host, store: store)
            bitswap.start()
            for address in addresses {
                do {
                    let bound = try await host.listen(on: address)
                    IPFSSupport.printNow(P2PSupport.withPeer(bound, host.peerID).description)
                } catch {
                    await bitswap.stop()
                    throw IPFSFailure.failed("cannot listen on \(address): \(P2PSupport.describe(error))")
                }
            }
            await signals.wait()
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
