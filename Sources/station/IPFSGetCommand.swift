import ArgumentParser
import Bitswap
import Foundation
import IPFS
import IPFSGateway
import Multiformats
import StationHost

/// `station ipfs get`: writes a file or folder from the repo, fetching it from trustless gateways
/// first when it is not complete locally.
struct IPFSGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Write a file (to -o OUT or stdout) or a folder (to -o OUT), fetching it from peers, routers' providers or gateways if needed.",
        discussion: """
            If the DAG under CID[/path] is complete in the repo, nothing is fetched. Otherwise, at \
            the same time, the peers given with --peer and --bootstrap are asked over Bitswap, the \
            DHT is searched from the --bootstrap peers, and the delegated routers given with \
            --router are asked for providers; providers offering \
            transport-bitswap are dialled, providers offering transport-ipfs-gateway-http are asked \
            for a CAR, and the first complete answer wins. Then the gateways given with --gateway \
            are tried in turn (format=car, dag-scope=all). Every block is verified and the result \
            is pinned in the repo. The output is written while blocks arrive; if the fetch fails, \
            OUT is removed (stdout keeps the verified bytes already written) and the exit status \
            says so. Provider addresses must be public unless --allow-net admits them. Folder entries named "", \
            ".", "..", or containing "/" are refused before anything is written. OUT must not exist.
            """
    )

    @Argument(help: ArgumentHelp("What to get: CID, CID/path, /ipfs/CID/path or ipfs://CID/path.", valueName: "CID[/path]"))
    var target: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write (default: stdout, files only).", valueName: "OUT"))
    var output: String?

    @Option(name: .customLong("peer"), help: ArgumentHelp("Bitswap peer to fetch from, /ip4/.../tcp/.../p2p/ID (repeatable; asked before any gateway).", valueName: "MULTIADDR"))
    var peers: [String] = []

    @Option(name: .customLong("gateway"), help: ArgumentHelp("Trustless gateway base URL, tried in the order given after peers and routers (repeatable).", valueName: "URL"))
    var gateways: [String] = []

    @OptionGroup var routing: IPFSRoutingOptions

    @Option(name: .long, help: ArgumentHelp("Longest time one gateway may take for the whole transfer (default 10m).", valueName: "DURATION"))
    var timeout = "10m"

    @Option(name: .customLong("connect-timeout"), help: ArgumentHelp("Longest wait to connect to a gateway (default 10s).", valueName: "DURATION"))
    var connectTimeout = "10s"

    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp("Longest time a gateway may send nothing (default 30s).", valueName: "DURATION"))
    var idleTimeout = "30s"

    @OptionGroup var repoOptions: IPFSRepoOptions

    private var bootstrap: [String] { routing.lookup.bootstrap }

    func run() async throws {
        do {
            let (root, path) = try IPFSSupport.contentPath(target)
            let configuration = GatewayClientConfiguration(
                connectTimeout: try IPFSSupport.duration(connectTimeout, what: "--connect-timeout"),
                idleTimeout: try IPFSSupport.duration(idleTimeout, what: "--idle-timeout"),
                totalTimeout: try IPFSSupport.duration(timeout, what: "--timeout"))
            if let output, FileManager.default.fileExists(atPath: output) {
                throw IPFSFailure.badArgument("\(output) already exists")
            }
            let store = try repoOptions.openStore()
            let request = GatewayRequest(root: root, path: path)
            if try await isComplete(request, in: store) {
                try await write(request, from: store)
            } else {
                try await fetchWhileWriting(request, into: store, configuration: configuration)
            }
        } catch {
            throw ExitCode(IPFSSupport.report(error))
        }
    }

    /// Fetches and, at the same time, writes what has arrived: the file's bytes go out as soon as
    /// the blocks on the way to them are stored (time to first byte is the time to the first
    /// leaf, not to the whole DAG). A missing block is waited for until the fetch ends; if the
    /// fetch fails, its error is the one reported (OUT is removed; what already went to stdout
    /// cannot be taken back, and the exit status says it failed).
    private func fetchWhileWriting(_ request: GatewayRequest, into store: BlockStore, configuration: GatewayClientConfiguration) async throws {
        do {
            try await ArrivingBlockProvider.fetch(
                into: store, { try await fetch(request, into: store, configuration: configuration) },
                whileReading: { try await write(request, from: $0) },
                incomplete: { [target] in IPFSFailure.unavailable("the fetch finished but \(target) is still incomplete in the repo") })
        } catch {
            // Also when the fetch fails after the last byte is written (the pin, say): a failed
            // get leaves no OUT behind.
            if let output { try? FileManager.default.removeItem(atPath: output) }
            throw error
        }
    }

    /// Whether the repo holds every block of the request (a missing block means we must fetch).
    private func isComplete(_ request: GatewayRequest, in store: BlockStore) async throws -> Bool {
        do {
            try await ScopedDAGWalker(provider: store).walk(request) { _ in }
            return true
        } catch IPFSError.blockNotFound {
            return false
        }
    }

    /// Fetches through ``ContentRouter``: the --peer and --bootstrap peers over Bitswap and the
    /// --router providers at once, then the --gateway list; pins the path's end.
    private func fetch(_ request: GatewayRequest, into store: BlockStore, configuration: GatewayClientConfiguration) async throws {
        guard !peers.isEmpty || !bootstrap.isEmpty || !routing.routers.isEmpty || !gateways.isEmpty else {
            throw IPFSFailure.unavailable("\(target) is not complete in the repo; give --peer MULTIADDR, --router URL or --gateway URL to fetch it")
        }
        let bar = IPFSProgressBar(label: "fetching", total: nil)
        let verbose = routing.verbose
        let observer = FetchObserver(
            report: { line in IPFSSupport.printError(line) },
            note: { line in if verbose { IPFSSupport.printError(line) } },
            progress: { bar.update($0) })
        defer { bar.finish() }
        let fetched = try await IPFSContentRouting.withRouter(
            store: store, peers: peers, bootstrap: bootstrap, options: routing, gateways: gateways,
            configuration: configuration, idleTimeout: configuration.idleTimeout
        ) { router in
            FetchSummary(outcome: try await router.fetch(request, module: IPFSSupport.module, observer: observer),
                         bitswap: router.bitswap?.statistics)
        }
        guard verbose else { return }
        IPFSSupport.printError("fetched \(fetched.outcome.terminal) from \(fetched.outcome.source)")
        if let bitswap = fetched.bitswap, bitswap.blocksReceived + bitswap.unwantedBlocks > 0 {
            let mib = String(format: "%.1f", Double(bitswap.bytesReceived) / 1_048_576)
            IPFSSupport.printError("bitswap: \(bitswap.blocksReceived) blocks received (\(mib) MiB), \(bitswap.unwantedBlocks) unwanted (duplicates or not asked for), \(bitswap.peerStrikes) strikes")
        }
    }

    /// What a fetch did, for --verbose (a struct, not a tuple: see ``IPFSContentRouting``'s note on
    /// optimised builds).
    private struct FetchSummary: Sendable {
        var outcome: ContentFetchOutcome
        var bitswap: BitswapStatistics?
    }

    /// Writes the file at the request's path to OUT or stdout, or its folder tree to OUT; on
    /// failure OUT is removed.
    private func write(_ request: GatewayRequest, from provider: any BlockProvider) async throws {
        let exporter = UnixFSExporter(provider: provider)
        let cid = try await exporter.resolve(request.root, path: request.path.joined(separator: "/"))
        let kind = try await exporter.kind(of: cid)
        guard let output else {
            guard case .file = kind else { throw IPFSFailure.badArgument("\(target) is a folder or symlink: give -o OUT") }
            let stdout = FileHandle.standardOutput
            try await exporter.read(cid) { piece in try stdout.write(contentsOf: piece) }
            return
        }
        do {
            try await exporter.export(cid, to: URL(fileURLWithPath: output))
        } catch {
            try? FileManager.default.removeItem(atPath: output)
            throw error
        }
    }
}
