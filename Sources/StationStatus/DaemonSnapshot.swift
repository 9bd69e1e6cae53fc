import Foundation

/// Everything the status API and the dashboard show about a running daemon, at one moment.
///
/// The daemon builds one on request (``StatusProvider/snapshot()``); it is encoded as JSON for
/// `GET /api/v1/status` and turned into Prometheus gauges for `GET /metrics`.
public struct DaemonSnapshot: Codable, Sendable, Hashable {
    /// The runtime's version, e.g. `0.1.0`.
    public var version: String
    /// When the daemon started.
    public var startedAt: Date
    /// The shared libp2p node's peer ID, when a node runs.
    public var peerID: String?
    /// The node's listen addresses (with `/p2p/…`).
    public var listenAddresses: [String]
    /// The global budgets the modules share (nil: not limited).
    public var budget: BudgetSnapshot
    /// The whole process.
    public var process: ProcessSnapshot
    /// One entry per configured module, in configuration order.
    public var modules: [ModuleSnapshot]
    /// The content router's figures, when the daemon runs one (absent in answers of daemons
    /// that do not report them; such answers still decode).
    public var routing: RoutingSnapshot?

    public init(version: String, startedAt: Date, peerID: String? = nil, listenAddresses: [String] = [], budget: BudgetSnapshot = BudgetSnapshot(), process: ProcessSnapshot = ProcessSnapshot(), modules: [ModuleSnapshot] = [], routing: RoutingSnapshot? = nil) {
        self.version = version
        self.startedAt = startedAt
        self.peerID = peerID
        self.listenAddresses = listenAddresses
        self.budget = budget
        self.process = process
        self.modules = modules
        self.routing = routing
    }

    /// Jobs completed over all modules (persisted across restarts).
    public var jobsTotal: UInt64 { modules.reduce(0) { $0 &+ $1.jobs } }
}

/// The global budgets of `station.toml` (`[budget]`).
public struct BudgetSnapshot: Codable, Sendable, Hashable {
    public var memoryBytes: UInt64?
    /// Percent of one core over all modules.
    public var cpuPercent: Double?
    public var storageBytes: UInt64?

    public init(memoryBytes: UInt64? = nil, cpuPercent: Double? = nil, storageBytes: UInt64? = nil) {
        self.memoryBytes = memoryBytes
        self.cpuPercent = cpuPercent
        self.storageBytes = storageBytes
    }
}

/// The content router's figures since the daemon started: how it finds providers of a CID, over
/// the DHT and delegated routing (HTTP). Counts only go up, except ``routingTableSize``.
public struct RoutingSnapshot: Codable, Sendable, Hashable {
    /// Peers in the DHT routing table now.
    public var routingTableSize: Int
    /// Provider lookups started.
    public var lookups: UInt64
    /// Lookups that found no provider or failed.
    public var lookupsFailed: UInt64
    /// Providers found over all lookups.
    public var providersFound: UInt64
    /// Requests sent to delegated routing endpoints.
    public var delegatedRequests: UInt64
    /// Requests sent to DHT peers.
    public var dhtRequests: UInt64
    /// ADD_PROVIDER messages delivered for content this daemon pins (providing must be on).
    public var providerAnnouncements: UInt64
    /// DHT requests from other peers answered (DHT server mode).
    public var dhtRequestsServed: UInt64
    /// DHT requests and streams from other peers refused (over a limit, malformed, unsupported).
    public var dhtRequestsRefused: UInt64
    /// Provider records held for other peers now (DHT server mode).
    public var providerRecords: Int

    public init(routingTableSize: Int = 0, lookups: UInt64 = 0, lookupsFailed: UInt64 = 0, providersFound: UInt64 = 0,
                delegatedRequests: UInt64 = 0, dhtRequests: UInt64 = 0, providerAnnouncements: UInt64 = 0,
                dhtRequestsServed: UInt64 = 0, dhtRequestsRefused: UInt64 = 0, providerRecords: Int = 0) {
        self.routingTableSize = routingTableSize
        self.lookups = lookups
        self.lookupsFailed = lookupsFailed
        self.providersFound = providersFound
        self.delegatedRequests = delegatedRequests
        self.dhtRequests = dhtRequests
        self.providerAnnouncements = providerAnnouncements
        self.dhtRequestsServed = dhtRequestsServed
        self.dhtRequestsRefused = dhtRequestsRefused
        self.providerRecords = providerRecords
    }

    private enum CodingKeys: String, CodingKey {
        case routingTableSize, lookups, lookupsFailed, providersFound, delegatedRequests, dhtRequests
        case providerAnnouncements, dhtRequestsServed, dhtRequestsRefused, providerRecords
    }

    /// A field a daemon does not report reads as 0, so the client and server need not be the
    /// same version.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        routingTableSize = try container.decodeIfPresent(Int.self, forKey: .routingTableSize) ?? 0
        lookups = try container.decodeIfPresent(UInt64.self, forKey: .lookups) ?? 0
        lookupsFailed = try container.decodeIfPresent(UInt64.self, forKey: .lookupsFailed) ?? 0
        providersFound = try container.decodeIfPresent(UInt64.self, forKey: .providersFound) ?? 0
        delegatedRequests = try container.decodeIfPresent(UInt64.self, forKey: .delegatedRequests) ?? 0
        dhtRequests = try container.decodeIfPresent(UInt64.self, forKey: .dhtRequests) ?? 0
        providerAnnouncements = try container.decodeIfPresent(UInt64.self, forKey: .providerAnnouncements) ?? 0
        dhtRequestsServed = try container.decodeIfPresent(UInt64.self, forKey: .dhtRequestsServed) ?? 0
        dhtRequestsRefused = try container.decodeIfPresent(UInt64.self, forKey: .dhtRequestsRefused) ?? 0
        providerRecords = try container.decodeIfPresent(Int.self, forKey: .providerRecords) ?? 0
    }
}

/// Resource use of the daemon process as a whole.
public struct ProcessSnapshot: Codable, Sendable, Hashable {
    /// Resident set size.
    public var residentBytes: UInt64
    /// CPU time used since start (user + system).
    public var cpuSeconds: Double

    public init(residentBytes: UInt64 = 0, cpuSeconds: Double = 0) {
        self.residentBytes = residentBytes
        self.cpuSeconds = cpuSeconds
    }
}

/// Where a module is in its life cycle.
public enum ModuleState: String, Codable, Sendable, Hashable, CaseIterable {
    /// Being fetched (by CID), compiled or instantiated.
    case starting
    /// Running guest code.
    case running
    /// Ended (trap, exit, limit, hang) and waiting for its next start.
    case backoff
    /// Failed too often: not restarted until updated or restarted by hand. ``ModuleSnapshot/reason`` says why.
    case parked
    /// Ended and not restarted (its restart policy says so, or the daemon is stopping).
    case stopped
}

/// One module as the status API reports it.
public struct ModuleSnapshot: Codable, Sendable, Hashable {
    public var name: String
    public var version: String
    /// The wasm file path, or `ipfs://CID` for modules by CID.
    public var source: String
    public var state: ModuleState
    /// Why the module is in its state (the last failure for `backoff`, the parking reason, …).
    public var reason: String?
    /// How many times the module was started again after ending.
    public var restarts: Int
    /// Failures in a row (reset once a run stays up long enough).
    public var consecutiveFailures: Int
    /// When the module is due to start again (state `backoff`).
    public var nextStartAt: Date?
    /// When the current run started.
    public var runningSince: Date?
    /// The engine running it, e.g. `wasmtime 50.0.1`.
    public var engine: String?
    /// Jobs completed, all runs together (persisted).
    public var jobs: UInt64
    /// CPU time of all runs.
    public var cpuSeconds: Double
    /// Recent CPU use, percent of one core.
    public var cpuPercent: Double
    /// The module's CPU share limit, percent of one core (nil: none).
    public var cpuLimitPercent: Double?
    /// Linear memory now.
    public var memoryBytes: UInt64
    public var memoryLimitBytes: UInt64
    /// Files plus key-value store on disk.
    public var storageBytes: UInt64
    public var storageLimitBytes: UInt64
    /// Bytes received over HTTP, p2p and IPFS.
    public var networkBytesIn: UInt64
    /// Bytes sent over HTTP and p2p.
    public var networkBytesOut: UInt64
    /// The newest activity message.
    public var lastActivity: String?

    public init(name: String, version: String, source: String, state: ModuleState, reason: String? = nil, restarts: Int = 0, consecutiveFailures: Int = 0, nextStartAt: Date? = nil, runningSince: Date? = nil, engine: String? = nil, jobs: UInt64 = 0, cpuSeconds: Double = 0, cpuPercent: Double = 0, cpuLimitPercent: Double? = nil, memoryBytes: UInt64 = 0, memoryLimitBytes: UInt64 = 0, storageBytes: UInt64 = 0, storageLimitBytes: UInt64 = 0, networkBytesIn: UInt64 = 0, networkBytesOut: UInt64 = 0, lastActivity: String? = nil) {
        self.name = name
        self.version = version
        self.source = source
        self.state = state
        self.reason = reason
        self.restarts = restarts
        self.consecutiveFailures = consecutiveFailures
        self.nextStartAt = nextStartAt
        self.runningSince = runningSince
        self.engine = engine
        self.jobs = jobs
        self.cpuSeconds = cpuSeconds
        self.cpuPercent = cpuPercent
        self.cpuLimitPercent = cpuLimitPercent
        self.memoryBytes = memoryBytes
        self.memoryLimitBytes = memoryLimitBytes
        self.storageBytes = storageBytes
        self.storageLimitBytes = storageLimitBytes
        self.networkBytesIn = networkBytesIn
        self.networkBytesOut = networkBytesOut
        self.lastActivity = lastActivity
    }
}

/// One line of the activity log (module reports and the supervisor's own notes).
public struct ActivityEntry: Codable, Sendable, Hashable {
    public var time: Date
    public var module: String
    /// `info` or `error`.
    public var level: String
    public var message: String

    public init(time: Date, module: String, level: String, message: String) {
        self.time = time
        self.module = module
        self.level = level
        self.message = message
    }
}

/// What the daemon gives the status server.
public protocol StatusProvider: Sendable {
    /// The state of everything now.
    func snapshot() async -> DaemonSnapshot
    /// The newest `limit` activity entries, oldest first.
    func activity(limit: Int) async -> [ActivityEntry]
    /// Starts a module again now (also un-parks it). Throws ``StatusActionError`` for an unknown module.
    func restart(module: String) async throws
    /// Fetches `cid`, checks it is a valid module, and swaps it in for `module`. Returns a message
    /// for the caller.
    func update(module: String, cid: String) async throws -> String
}

/// Why a status API action failed; the server answers with the matching HTTP status.
public enum StatusActionError: Error, Sendable, CustomStringConvertible {
    case unknownModule(String)
    case invalid(String)
    case failed(String)

    public var description: String {
        switch self {
        case .unknownModule(let name): "no module named '\(name)'"
        case .invalid(let message): message
        case .failed(let message): message
        }
    }
}
