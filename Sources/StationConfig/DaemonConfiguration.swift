import SandboxEngine

/// `station.toml`, validated: what `station daemon` runs.
///
/// Built by ``ConfigLoader``; paths are absolute (relative ones are taken from the folder of the
/// file that names them).
public struct DaemonConfiguration: Sendable {
    /// The `station.toml` this came from (absolute).
    public var file: String
    /// Where the daemon keeps its state (job counters, module data, identity, block store, status
    /// token). `[daemon] state`, else `$STATE_ROOT`, else `$XDG_STATE_HOME/station` or
    /// `~/.local/state/station`.
    public var stateDirectory: String
    /// Where fetched modules are cached. `[daemon] cache`, else `$CACHE_ROOT`, else
    /// `$XDG_CACHE_HOME/station` or `~/.cache/station`.
    public var cacheDirectory: String
    /// `auto`, `wasmtime` or `wasmkit`.
    public var engine: String = "auto"
    public var budget = GlobalBudget()
    public var status = StatusSettings()
    public var p2p = NodeSettings()
    public var ipfs = IPFSSettings()
    public var supervisor = SupervisorSettings()
    /// The modules, in the order `station.toml` lists them.
    public var modules: [ModuleManifest] = []

    public init(file: String, stateDirectory: String, cacheDirectory: String) {
        self.file = file
        self.stateDirectory = stateDirectory
        self.cacheDirectory = cacheDirectory
    }
}

/// `[budget]`: totals over all modules, divided fairly (see ``FairShare``).
public struct GlobalBudget: Sendable, Hashable {
    /// Linear memory over all modules.
    public var memoryBytes: UInt64?
    /// Percent of one core over all modules (may exceed 100 on a multi-core machine).
    public var cpuPercent: Double?
    /// Disk over all modules (files + key-value stores + block store quotas).
    public var storageBytes: UInt64?

    public init(memoryBytes: UInt64? = nil, cpuPercent: Double? = nil, storageBytes: UInt64? = nil) {
        self.memoryBytes = memoryBytes
        self.cpuPercent = cpuPercent
        self.storageBytes = storageBytes
    }
}

/// `[status]`: the local status API and dashboard.
public struct StatusSettings: Sendable, Hashable {
    public var enabled = true
    /// Always a loopback address.
    public var host = "127.0.0.1"
    /// 0 picks a free port.
    public var port = 7834

    public init() {}
}

/// `[p2p]`: the shared libp2p node.
public struct NodeSettings: Sendable, Hashable {
    /// Multiaddrs to listen on; the default `/ip4/127.0.0.1/tcp/0` when empty and a module needs the node.
    public var listen: [String] = []
    /// Peers to connect to at start (multiaddrs with `/p2p/`).
    public var peers: [String] = []

    public init() {}
}

/// `[ipfs]`: the shared block store.
public struct IPFSSettings: Sendable, Hashable {
    /// Trustless gateways to fall back to (URLs), tried in order.
    public var gateways: [String] = []
    /// Delegated routers (HTTP routing v1 base URLs) asked for providers of content the store lacks.
    public var routers: [String] = []
    /// Peers to connect to at start for content (multiaddrs with `/p2p/`), asked over Bitswap.
    public var bootstrap: [String] = []
    /// Extra network patterns provider addresses named by routers may point to (public addresses
    /// are always allowed), e.g. `127.0.0.1:*`.
    public var allowNet: [String] = []
    /// Announce pinned content in the DHT (ADD_PROVIDER, renewed every 22 hours). Off by default:
    /// a machine others cannot dial would advertise addresses that lead nowhere.
    public var provide = false
    /// Run the DHT in server mode: answer other peers' DHT requests and hold the provider records
    /// they announce (bounded, in memory). Off by default: only useful where others can dial us.
    public var dhtServer = false

    public init() {}
}

/// `[supervisor]`: how failing modules are restarted.
public struct SupervisorSettings: Sendable, Hashable {
    /// The first wait before a restart.
    public var initialBackoff: Duration = .seconds(1)
    /// The longest wait between restarts.
    public var maxBackoff: Duration = .seconds(300)
    /// Random spread of each wait, as a fraction (0.2 = ±20%).
    public var jitter: Double = 0.2
    /// Failures in a row after which a module is parked.
    public var maxFailures: Int = 5
    /// A run that lasts this long resets the failure count.
    public var healthyAfter: Duration = .seconds(60)
    /// How long modules get to end when the daemon stops.
    public var stopDeadline: Duration = .seconds(5)

    public init() {}
}

/// What to do when a module ends.
public enum RestartPolicy: String, Sendable, Hashable, CaseIterable {
    /// Start it again after any end, clean exits included (Station modules run forever).
    case always
    /// Start it again only after a failure (trap, limit, hang, non-zero exit).
    case onFailure = "on-failure"
    /// Never start it again.
    case never
}

/// Where a module's code comes from.
public enum ModuleSource: Sendable, Hashable, CustomStringConvertible {
    /// A `.wasm` or `.wat` file (absolute path).
    case file(String)
    /// A CID (text as written), fetched through IPFS and cached.
    case cid(String)
    /// A JavaScript module's entry file (`.js` or `.mjs`, absolute path), run by the station-js
    /// engine module with the entry's folder as its root.
    case javascript(String)

    public var description: String {
        switch self {
        case .file(let path), .javascript(let path): path
        case .cid(let cid): "ipfs://\(cid)"
        }
    }
}

/// A module's `module.toml`, validated.
public struct ModuleManifest: Sendable {
    /// The manifest file (absolute).
    public var file: String
    /// Letters, digits, `-`, `_` and `.`, 1–64 characters, unique in the daemon; names the module's
    /// data folder and its events.
    public var name: String
    public var version: String
    public var source: ModuleSource
    /// The module's argv after its name.
    public var arguments: [String] = []
    /// Environment variables the module sees.
    public var environment: [EnvironmentVariable] = []
    public var restart: RestartPolicy = .always
    public var grants = ModuleGrants()
    public var limits = ModuleLimits()
    /// `enabled = false` in `station.toml` keeps the module configured but not started.
    public var enabled = true

    public init(file: String, name: String, version: String, source: ModuleSource) {
        self.file = file
        self.name = name
        self.version = version
        self.source = source
    }
}

/// One `KEY = "value"` of a manifest's `[env]`.
public struct EnvironmentVariable: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// `[grants]`: what a module may reach. Everything is denied unless granted.
public struct ModuleGrants: Sendable, Hashable {
    /// HTTP allow-list patterns (docs/network-policy.md).
    public var net: [String] = []
    /// libp2p protocol ids (a trailing `*` grants a prefix).
    public var p2p: [String] = []
    /// Dial peers on loopback and private addresses.
    public var p2pLocal = false
    /// Get, put and pin content in the shared block store.
    public var ipfs = false
    /// A key-value store in the module's data folder.
    public var kv = false
    /// Files: a data folder the module sees as `/data`.
    public var files = false

    public init() {}
}

/// `[limits]`: nil means the daemon's default (docs/daemon.md).
public struct ModuleLimits: Sendable, Hashable {
    public var memoryBytes: UInt64?
    /// Percent of one core.
    public var cpuPercent: Double?
    public var fuel: UInt64?
    /// Wall-clock limit of one run.
    public var timeout: Duration?
    public var stackBytes: Int?
    /// Files in the data folder.
    public var storageBytes: UInt64?
    public var kvQuotaBytes: UInt64?
    public var ipfsQuotaBytes: UInt64?
    /// HTTP bandwidth, bytes per second.
    public var netRateBytes: UInt64?
    public var maxResponseBytes: UInt64?
    public var maxHandles: Int?
    /// A run that executes guest code without calling the host for this long is stopped as hung.
    public var hangAfter: Duration?
    /// Activity reports per second (sustained) and burst.
    public var activityPerSecond: Double?
    public var activityBurst: Int?

    public init() {}
}
