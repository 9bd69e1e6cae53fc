import Foundation
import IPFS
import Libp2p
import Logging
import Multiformats
import Sandbox
import SandboxEngine
import Units
import StationConfig
import StationHost
import StationStatus

/// `station daemon`: every module of a `station.toml` in one process, each on its own thread,
/// sharing one libp2p node and one IPFS block store, supervised, reporting events, with a local
/// status API and dashboard.
public final class StationDaemon: StatusProvider, @unchecked Sendable {
    /// How the daemon reports and where.
    public struct Options: Sendable {
        /// Where events go (JSON lines on stdout for `--json`, readable lines on stderr otherwise).
        public var output: any StationEventSink
        /// The runtime's version, for the status API.
        public var version: String
        /// Replaces `[status] port` (tests use 0).
        public var statusPort: Int?
        /// Turns the status server off regardless of the configuration.
        public var statusDisabled = false

        public init(output: any StationEventSink, version: String) {
            self.output = output
            self.version = version
        }
    }

    public let configuration: DaemonConfiguration
    public let layout: DaemonLayout
    private let options: Options
    private let startedAt = Date()
    private var supervisors: [ModuleSupervisor] = []
    private var context: DaemonContext?
    private var services = SharedServices.none
    private var statusServer: StatusServer?
    private var watchdog: Task<Void, Never>?
    private let lock = NSLock()
    private var stopped = false
    private var stateLock: StateLock?

    /// The status API's port and token once started (nil when it is off).
    public private(set) var statusPort: Int?
    public private(set) var statusToken: String?

    public init(configuration: DaemonConfiguration, options: Options) {
        self.configuration = configuration
        self.options = options
        self.layout = DaemonLayout(stateDirectory: configuration.stateDirectory, cacheDirectory: configuration.cacheDirectory)
    }

    /// The modules that run (`enabled = true`).
    var enabledModules: [ModuleManifest] { configuration.modules.filter(\.enabled) }

    // MARK: Start

    /// Opens the state, starts the shared node and block store, then every module, the watchdog
    /// and the status server. Throws (and starts nothing that keeps running) when a shared
    /// service cannot start.
    public func start() async throws {
        try layout.prepare()
        stateLock = try StateLock(folder: layout.state)
        let database = try DaemonDatabase(url: layout.database)
        let events = DaemonEvents(output: options.output, database: database)
        let jobs = JobLedger(sink: events, initialCounts: try database.jobTotals().filter { name, _ in
            configuration.modules.contains { $0.name == name }
        })
        let plan = FairShare.plan(budget: configuration.budget, modules: enabledModules, defaults: DaemonDefaults.moduleLimits)

        let needsStore = enabledModules.contains { $0.grants.ipfs || Self.isCID($0.source) } || !configuration.ipfs.gateways.isEmpty || (try? hasUpdates(database)) == true
        let needsNode = needsStore || enabledModules.contains { !$0.grants.p2p.isEmpty } || !configuration.p2p.listen.isEmpty
        if needsNode {
            var storeConfiguration: BlockStore.Configuration?
            if needsStore {
                var store = BlockStore.Configuration(directory: layout.blockStore, defaultModuleQuota: 0)
                for module in enabledModules {
                    store.moduleQuotas[module.name] = Int64(clamping: plan[module.name]?.ipfsQuotaBytes ?? 0)
                }
                store.moduleQuotas[ModuleCode.storeOwner] = Int64(ModuleCode.maximumSize) * 8
                // The cap: what the quotas promise together, within the storage budget. Garbage
                // beyond it is collected by the put that needs the room.
                store.capacity = StoreCollector.capacity(quotas: store.moduleQuotas.values, budget: configuration.budget.storageBytes)
                storeConfiguration = store
            }
            do {
                services = try await SharedServices.start(
                    identity: try IdentityStore.loadOrCreate(in: layout.state),
                    listen: try configuration.p2p.listen.map { try Multiaddr($0) },
                    peers: try (configuration.p2p.peers + configuration.ipfs.bootstrap).map { try Multiaddr($0) },
                    store: storeConfiguration, gateways: configuration.ipfs.gateways,
                    routers: configuration.ipfs.routers, allowNet: configuration.ipfs.allowNet,
                    dhtBootstrap: try configuration.ipfs.bootstrap.map { try Multiaddr($0) },
                    provide: configuration.ipfs.provide, dhtServer: configuration.ipfs.dhtServer
                ) { peer, error in
                    events.emit(.activity(module: "station", level: .error, message: "could not connect to peer \(peer): \(error)"))
                }
            } catch {
                throw DaemonError("\(error)")
            }
        }
        let node = services.node
        let content = services.content

        let context = DaemonContext(
            configuration: configuration, layout: layout, events: events, jobs: jobs, database: database,
            node: node, content: content, code: ModuleCode(layout: layout, content: content),
            engine: EngineChoice(rawValue: configuration.engine) ?? .auto, backoff: Backoff(configuration.supervisor))
        self.context = context
        // The plan has an entry for every enabled module.
        supervisors = enabledModules.compactMap { manifest in
            plan[manifest.name].map { ModuleSupervisor(manifest: manifest, effective: $0, context: context) }
        }

        events.emit(.started)
        // As Zinnia's daemon does: the job totals so far, before any module runs, so a front end
        // shows the kept count at once (every enabled module listed, 0 for a new one).
        var totals = jobs.totals
        for module in enabledModules where totals[module.name] == nil { totals[module.name] = 0 }
        events.emit(.jobsCompleted(total: totals.values.reduce(0, &+), modules: totals))
        if let node {
            for address in node.host.listenAddresses {
                events.emit(.activity(module: "station", level: .info, message: "p2p node listening on \(address)/p2p/\(node.host.peerID)"))
            }
        }
        for supervisor in supervisors { supervisor.start() }
        watchdog = Task { [supervisors] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                for supervisor in supervisors { supervisor.tick() }
                jobs.flush()
            }
        }
        try await startStatusServer(events: events)
    }

    private func startStatusServer(events: DaemonEvents) async throws {
        guard configuration.status.enabled, !options.statusDisabled else { return }
        let token = StatusToken.generate()
        let server = StatusServer(
            provider: self, host: configuration.status.host, port: options.statusPort ?? configuration.status.port,
            token: token, logger: Self.statusLogger)
        let port: Int
        do {
            port = try await server.start()
        } catch {
            await stop()
            throw DaemonError("cannot start the status API: \(error)")
        }
        statusServer = server
        statusPort = port
        statusToken = token
        let url = "http://\(configuration.status.host):\(port)"
        try StatusEndpointFile(path: layout.statusFile).write(StatusEndpoint(url: url, token: token))
        // The link carries the token: it is printed for whoever started the daemon, but not
        // recorded as activity, which the status API serves (GET /api/v1/activity).
        options.output.emit(.activity(module: "station", level: .info, message: "dashboard: \(url)/#token=\(token) (token also in \(layout.statusFile.path))"))
    }

    /// The status server logs only warnings and errors, on stderr (stdout carries JSON events).
    static var statusLogger: Logger {
        var logger = Logger(label: "station.status", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = .warning
        return logger
    }

    private func hasUpdates(_ database: DaemonDatabase) throws -> Bool {
        try enabledModules.contains { try database.moduleUpdate(for: $0.name) != nil }
    }

    static func isCID(_ source: ModuleSource) -> Bool {
        if case .cid = source { return true }
        return false
    }

    // MARK: Stop

    /// Stops every module (each gets `[supervisor] stop-deadline` to end), stores the job totals,
    /// stops the status server and closes the node and block store. Idempotent.
    public func stop() async {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        watchdog?.cancel()
        for supervisor in supervisors { supervisor.requestStop() }
        let deadline = configuration.supervisor.stopDeadline
        let supervisors = self.supervisors
        // Not a task group: it would wait for a module stuck in an uncancellable call forever.
        let ended = await BoundedWait.run(upTo: deadline) {
            for supervisor in supervisors { await supervisor.waitUntilStopped() }
        }
        if !ended {
            let stuck = supervisors.filter { $0.currentState != .stopped && $0.currentState != .parked }.map(\.name)
            context?.events.emit(.activity(module: "station", level: .error, message: "modules still running after the stop deadline of \(Units.formatDuration(deadline)): \(stuck.joined(separator: ", "))"))
        }
        context?.jobs.flush()
        if let statusServer {
            await statusServer.stop()
            StatusEndpointFile(path: layout.statusFile).remove(ifPID: ProcessInfo.processInfo.processIdentifier)
        }
        await services.stop()
        stateLock?.release()
    }

    // MARK: StatusProvider

    public func snapshot() async -> DaemonSnapshot {
        let node = context?.node
        return DaemonSnapshot(
            version: options.version, startedAt: startedAt, peerID: node.map { $0.host.peerID.description },
            listenAddresses: node.map { node in node.host.listenAddresses.map { "\($0)/p2p/\(node.host.peerID)" } } ?? [],
            budget: BudgetSnapshot(memoryBytes: configuration.budget.memoryBytes, cpuPercent: configuration.budget.cpuPercent, storageBytes: configuration.budget.storageBytes),
            process: ProcessSnapshot(residentBytes: ProcessUsage.residentBytes(), cpuSeconds: ProcessUsage.cpuSeconds()),
            modules: supervisors.map { $0.snapshot(storageBytes: ProcessUsage.folderSize(layout.moduleFolder($0.name))) },
            routing: context?.content.map { RoutingSnapshot($0.router.statistics()) })
    }

    public func activity(limit: Int) async -> [ActivityEntry] {
        context?.events.activity(limit: limit) ?? []
    }

    public func restart(module: String) async throws {
        guard let supervisor = supervisors.first(where: { $0.name == module }) else { throw StatusActionError.unknownModule(module) }
        supervisor.restartNow()
    }

    public func update(module: String, cid: String) async throws -> String {
        guard let supervisor = supervisors.first(where: { $0.name == module }) else { throw StatusActionError.unknownModule(module) }
        guard context?.content != nil else {
            throw StatusActionError.invalid("no block store runs in this daemon; give a module ipfs = true or a cid so the daemon starts one")
        }
        return try await supervisor.update(to: cid)
    }
}

/// The daemon could not start.
public struct DaemonError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
