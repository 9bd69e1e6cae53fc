import ArgumentParser
import Foundation
import IPFS
import IPFSGateway
import Multiformats

/// `station ipfs get`: writes a file or folder from the repo, fetching it from trustless gateways
/// first when it is not complete locally.
struct IPFSGetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Write a file (to -o OUT or stdout) or a folder (to -o OUT), fetching it from gateways if needed.",
        discussion: """
            If the DAG under CID[/path] is complete in the repo, nothing is fetched. Otherwise the \
            Bitswap peers given with --peer are asked first (all at once), then the gateways given \
            with --gateway in turn for a CAR (format=car, dag-scope=all); every block is verified \
            and the result is pinned in the repo. Folder entries named "", \
            ".", "..", or containing "/" are refused before anything is written. OUT must not exist.
            """
    )

    @Argument(help: ArgumentHelp("What to get: CID, CID/path, /ipfs/CID/path or ipfs://CID/path.", valueName: "CID[/path]"))
    var target: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write (default: stdout, files only).", valueName: "OUT"))
    var output: String?

    @Option(name: .customLong("peer"), help: ArgumentHelp("Bitswap peer to fetch from, /ip4/.../tcp/.../p2p/ID (repeatable; asked before any gateway).", valueName: "MULTIADDR"))
    var peers: [String] = []

    @Option(name: .customLong("gateway"), help: ArgumentHelp("Trustless gateway base URL, tried in the order given (repeatable).", valueName: "URL"))
    var gateways: [String] = []

    @Option(name: .long, help: ArgumentHelp("Longest time one gateway may take for the whole transfer (default 10m).", valueName: "DURATION"))
    var timeout = "10m"

    @Option(name: .customLong("connect-timeout"), help: ArgumentHelp("Longest wait to connect to a gateway (default 10s).", valueName: "DURATION"))
    var connectTimeout = "10s"

    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp("Longest time a gateway may send nothing (default 30s).", valueName: "DURATION"))
    var idleTimeout = "30s"

    @OptionGroup var repoOptions: IPFSRepoOptions

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
            if try await !isComplete(request, in: store) {
                try await fetch(request, into: store, configuration: configuration)
            }
            let exporter = UnixFSExporter(provider: store)
            let terminal = try await exporter.resolve(root, path: path.joined(separator: "/"))
            try await write(terminal, with: exporter)
        } catch {
            throw ExitCode(IPFSSupport.report(error))
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

    /// Fetches from the Bitswap peers, else from the gateways; pins the path's end.
    private func fetch(_ request: GatewayRequest, into store: BlockStore, configuration: GatewayClientConfiguration) async throws {
        guard !peers.isEmpty || !gateways.isEmpty else {
            throw IPFSFailure.unavailable("\(target) is not complete in the repo; give --peer MULTIADDR or --gateway URL to fetch it")
        }
        if !peers.isEmpty {
            let addresses = try peers.map { try P2PSupport.multiaddr($0, what: "--peer address") }
            do {
                try await IPFSBitswapFetch.fetch(request, from: addresses, into: store, idleTimeout: configuration.idleTimeout)
                return
            } catch {
                guard !gateways.isEmpty else { throw IPFSFailure.unavailable("Bitswap: \(IPFSSupport.describe(error))") }
                FileHandle.standardError.write(Data("station: ipfs: Bitswap failed (\(IPFSSupport.describe(error))); trying gateways\n".utf8))
            }
        }
        try await fetchFromGateways(request, into: store, configuration: configuration)
    }

    /// Fetches the request's CAR from the gateways, then pins the path's end and drops the rest.
    private func fetchFromGateways(_ request: GatewayRequest, into store: BlockStore, configuration: GatewayClientConfiguration) async throws {
        let client = try TrustlessGatewayClient(gateways: gateways, configuration: configuration)
        let bar = IPFSProgressBar(label: "fetching", total: nil)
        let result: GatewayFetchResult
        do {
            result = try await client.fetchCAR(request, into: store, module: IPFSSupport.module) { bar.update($0) }
            bar.finish()
            await client.shutdown()
        } catch {
            bar.finish()
            await client.shutdown()
            throw error
        }
        defer { for cid in result.held { store.release(cid, module: IPFSSupport.module) } }
        for failure in result.earlierFailures {
            FileHandle.standardError.write(Data("station: ipfs: skipped \(failure.description)\n".utf8))
        }
        let terminal = try await UnixFSExporter(provider: store).resolve(request.root, path: request.path.joined(separator: "/"))
        try store.pin(terminal, module: IPFSSupport.module)
    }

    /// Writes a file to OUT or stdout, or a folder tree to OUT.
    private func write(_ cid: CID, with exporter: UnixFSExporter) async throws {
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
