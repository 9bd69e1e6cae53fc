/// The hard limits one module instance runs under.
///
/// `station run` builds one from its flags and the daemon from each module's manifest; both
/// engines enforce the same values. The defaults protect the machine when nothing is configured:
/// see `docs/limits.md`.
public struct Limits: Sendable, Hashable, Codable {
    /// Maximum size of each linear memory in bytes (multi-memory is disabled, so this bounds all
    /// linear memory). Also bounds each table: a table may hold at most `memoryBytes / 16` elements
    /// and at most ``tableElements``. Default 256 MiB.
    public var memoryBytes: UInt64
    /// Maximum number of elements in each table. Default 100,000.
    public var tableElements: UInt64
    /// Execution budget in fuel units (roughly one per executed WebAssembly operator; the exact
    /// count differs between engines). `nil` means unmetered. Default `nil`.
    public var fuel: UInt64?
    /// Wall-clock limit for the whole run, including time spent in host calls. Default `nil`.
    public var timeout: Duration?
    /// Maximum WebAssembly call-stack size in bytes. Default 1 MiB.
    public var stackBytes: Int
    /// Share of one CPU core the module may use, in (0, 1]. Above it the module is slowed down
    /// (throttled), never killed. `nil` means no throttling. Default `nil`.
    public var cpuShare: Double?
    /// Storage quota in bytes over all preopened directories. Default 1 GiB.
    public var storageBytes: UInt64
    /// Maximum number of open file descriptors the guest may hold. Default 256.
    public var openFiles: Int
    /// Wall-clock limit for loading the module before any of its code runs: parsing WebAssembly
    /// text, reading, validating and compiling the binary. Parsers and compilers cannot be
    /// interrupted, so loading runs on a thread of its own and is abandoned (its result dropped)
    /// when this passes or the run is stopped. `nil` means unbounded. Default 60 s (generous for
    /// debug builds on a busy machine: 100,000 functions take seconds).
    public var loadTime: Duration?

    /// The built-in defaults (documented in `docs/limits.md`).
    public static let defaults = Limits()

    public init(
        memoryBytes: UInt64 = 256 << 20,
        tableElements: UInt64 = 100_000,
        fuel: UInt64? = nil,
        timeout: Duration? = nil,
        stackBytes: Int = 1 << 20,
        cpuShare: Double? = nil,
        storageBytes: UInt64 = 1 << 30,
        openFiles: Int = 256,
        loadTime: Duration? = .seconds(60)
    ) {
        self.memoryBytes = memoryBytes
        self.tableElements = tableElements
        self.fuel = fuel
        self.timeout = timeout
        self.stackBytes = stackBytes
        self.cpuShare = cpuShare
        self.storageBytes = storageBytes
        self.openFiles = openFiles
        self.loadTime = loadTime
    }

    /// The effective per-table element cap: the smaller of ``tableElements`` and `memoryBytes / 16`.
    public var effectiveTableElements: UInt64 { min(tableElements, memoryBytes / 16) }
}

/// One kind of limit, named the way errors and events report it.
public enum LimitKind: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case memory, table, fuel, timeout, stack, cpu, storage, openFiles = "open-files", output
    /// Parsing, validating and compiling the module took longer than ``Limits/loadTime``.
    case loadTime = "load time"

    public var description: String { rawValue }
}
