import ArgumentParser
import Bitswap
import Foundation
import IPFS
import IPFSRouting
import Libp2p
import Multiformats
import StationHost

/// `station ipfs providers`: who can deliver a CID, and where we heard it.
struct IPFSProvidersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "providers",
        abstract: "Print the providers of a CID found through delegated routers and bootstrap peers.",
        discussion: """
            The routers given with --router are asked at once (GET /routing/v1/providers/CID, JSON or \
            NDJSON); each provider is printed as soon as its router's answer is read, one line each: \
            PEER-ID, where it came from (the router's URL, or "bootstrap"), its transfer protocols \
            (comma-separated, "unknown" when the router did not say) and its addresses, separated \
            by tabs. Each --bootstrap peer is dialled and asked over Bitswap for the CID's block; \
            peers that deliver it are printed as providers with the source "bootstrap", and the DHT \
            is searched from them (source "dht"). Routers \
            that fail are reported on stderr. Exit status 69 when no provider was found.
            """
    )

    @Argument(help: ArgumentHelp("The CID to look up.", valueName: "CID"))
    var cid: String

    @Option(name: .customLong("timeout"), help: ArgumentHelp("Longest wait for a bootstrap peer's answer (default 10s).", valueName: "DURATION"))
    var timeout = "10s"

    @OptionGroup var routing: IPFSRoutingOptions

    func run() async throws {
        do {
            let root: CID
            do {
                root = try CID(cid)
            } catch {
                throw IPFSFailure.badArgument("invalid CID '\(cid.prefix(100))': \(error)")
            }
            let bootstrap = routing.lookup.bootstrap
            guard !routing.routers.isEmpty || !bootstrap.isEmpty else {
                throw IPFSFailure.badArgument("give --router URL or --bootstrap MULTIADDR to look providers up")
            }
            let wait = try IPFSSupport.duration(timeout, what: "--timeout")
            let addresses = try bootstrap.map { try P2PSupport.multiaddr($0, what: "--bootstrap address") }
            let client = try routing.client()
            async let fromBootstrap = Self.askBootstrap(root, addresses, wait: wait)
            var found = 0
            if let client {
                for await event in client.findProviders(root) {
                    switch event {
                    case .provider(let record):
                        found += 1
                        Self.print(record)
                    case .routerFailed(let router, let reason):
                        IPFSSupport.printError("router \(router) failed: \(reason)")
                    case .routerFinished(let router, let count, let cached, let note):
                        if routing.verbose {
                            IPFSSupport.printError("router \(router): \(count) provider\(count == 1 ? "" : "s")\(cached ? " (cached)" : "")\(note.map { " (\($0))" } ?? "")")
                        }
                    }
                }
                await client.shutdown()
            }
            found += try await fromBootstrap
            guard found > 0 else { throw IPFSFailure.unavailable("no provider of \(root) was found") }
        } catch {
            throw ExitCode(IPFSSupport.report(error))
        }
    }

    private static func print(_ record: ProviderRecord) {
        let protocols = record.protocols.isEmpty ? "unknown" : record.protocols.joined(separator: ",")
        IPFSSupport.printNow([record.peer.description, record.source, protocols, record.addresses.map(\.description).joined(separator: " ")]
            .joined(separator: "\t"))
    }

    /// Dials each bootstrap peer and asks it for the root block over Bitswap (into a throwaway
    /// store), and runs a DHT provider lookup from them; prints what they find. Returns how many.
    private static func askBootstrap(_ root: CID, _ addresses: [Multiaddr], wait: Duration) async throws -> Int {
        guard !addresses.isEmpty else { return 0 }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("station-providers-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        var configuration = BlockStore.Configuration(directory: folder)
        configuration.durable = false
        let store = try BlockStore(configuration)
        var found = 0
        try await P2PSupport.withHost(identity: PrivateKey()) { host in
            let bitswap = Bitswap(host: host, store: store, configuration: BitswapConfiguration(fetchTimeout: wait.inSeconds))
            bitswap.start()
            found = await withTaskGroup(of: Bool.self) { group in
                for address in addresses {
                    group.addTask {
                        do {
                            let peer = try await host.connect(to: address).remotePeer
                            _ = try await bitswap.fetchBlock(root, from: [peer], module: "providers")
                            Self.print(ProviderRecord(peer: peer, addresses: [address.withoutPeerID],
                                                      protocols: [ProviderRecord.bitswapProtocol], source: "bootstrap"))
                            return true
                        } catch {
                            IPFSSupport.printError("bootstrap peer \(address) did not deliver \(root): \(IPFSSupport.describe(error))")
                            return false
                        }
                    }
                }
                group.addTask {
                    let dht = KadDHT(host: host)
                    await dht.bootstrap(addresses, lookUpSelf: false)
                    var count = 0
                    for await peer in dht.findProviders(root.multihash, limit: 20) {
                        count += 1
                        Self.print(ProviderRecord(peer: peer.id, addresses: peer.addresses, protocols: [], source: "dht"))
                    }
                    return count > 0
                }
                var count = 0
                for await delivered in group where delivered { count += 1 }
                return count
            }
            await bitswap.stop()
        }
        return found
    }
}
