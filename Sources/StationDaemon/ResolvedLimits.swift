import SandboxEngine
import StationConfig
import StationHost

/// The limits one module runs with: the engine's ``Limits`` and the station ABI's caps, from what
/// its manifest (or `station run`'s options) asked, the defaults, and the budget's shares.
///
/// `station run` and the daemon both go through ``init(asked:defaults:shares:)``, so a limit is
/// resolved one way everywhere. Precedence for each value: the budget's share (daemon only; it
/// already folds in what was asked), then what was asked, then `defaults` (``DaemonDefaults`` or
/// ``RunDefaults``), then the runtime's own default (``Limits/defaults``,
/// ``StationModuleConfiguration``).
///
/// Worked example (daemon, `[budget] cpu = 50` shared by two modules, one asking `cpu = 10`):
/// the plan gives it 10 % and the other 40 %; `engine.cpuShare` is then 0.10 and 0.40. A module
/// asking `cpu = 100` with no budget runs unthrottled (`cpuShare` nil).
public struct ResolvedLimits: Sendable {
    /// What the engine enforces.
    public var engine: Limits
    /// Most station handles open at once.
    public var maxHandles: Int
    /// HTTP bandwidth cap, bytes per second (nil: none).
    public var netRateBytes: Int?
    /// Largest HTTP response body.
    public var maxResponseBytes: Int
    /// Key-value store quota.
    public var kvQuotaBytes: UInt64
    /// Block store quota for the module's pins (nil: the store's own default).
    public var ipfsQuotaBytes: UInt64?
    /// Activity reports per second and burst.
    public var activityPerSecond: Double
    public var activityBurst: Int
    /// Hang detection (daemon only).
    public var hangAfter: Duration?

    public init(asked: ModuleLimits, defaults: ModuleLimits, shares: EffectiveLimits? = nil) {
        func pick<T>(_ path: KeyPath<ModuleLimits, T?>) -> T? { asked[keyPath: path] ?? defaults[keyPath: path] }
        let runtime = Limits.defaults
        let station = StationModuleConfiguration(identity: StationIdentity(moduleName: ""))

        var engine = runtime
        engine.memoryBytes = shares?.memoryBytes ?? pick(\.memoryBytes) ?? runtime.memoryBytes
        let cpu = shares.map(\.cpuPercent) ?? pick(\.cpuPercent)
        engine.cpuShare = cpu.flatMap { $0 < 100 ? max($0, 0.1) / 100 : nil }
        engine.storageBytes = shares?.storageBytes ?? pick(\.storageBytes) ?? runtime.storageBytes
        engine.fuel = pick(\.fuel)
        engine.timeout = pick(\.timeout)
        engine.stackBytes = pick(\.stackBytes) ?? runtime.stackBytes
        self.engine = engine

        maxHandles = pick(\.maxHandles) ?? station.maxHandles
        netRateBytes = pick(\.netRateBytes).map { Int(clamping: $0) }
        maxResponseBytes = pick(\.maxResponseBytes).map { Int(clamping: $0) } ?? station.networkLimits.maxResponseBytes
        kvQuotaBytes = shares?.kvQuotaBytes ?? pick(\.kvQuotaBytes) ?? station.keyValueLimits.quotaBytes
        ipfsQuotaBytes = shares?.ipfsQuotaBytes ?? pick(\.ipfsQuotaBytes)
        activityPerSecond = pick(\.activityPerSecond) ?? station.activityPerSecond
        activityBurst = pick(\.activityBurst) ?? station.activityBurst
        hangAfter = pick(\.hangAfter)
    }

    /// Sets the station ABI's caps in `configuration` (grants and paths are the caller's).
    public func apply(to configuration: inout StationModuleConfiguration) {
        configuration.maxHandles = maxHandles
        configuration.networkLimits.bytesPerSecond = netRateBytes
        configuration.networkLimits.maxResponseBytes = maxResponseBytes
        configuration.keyValueLimits.quotaBytes = kvQuotaBytes
        configuration.activityPerSecond = activityPerSecond
        configuration.activityBurst = activityBurst
    }
}

extension ResolvedLimits {
    /// The resolved values written back as a manifest's limits (for help texts and the docs).
    public var moduleLimits: ModuleLimits {
        var limits = ModuleLimits()
        limits.memoryBytes = engine.memoryBytes
        limits.cpuPercent = engine.cpuShare.map { $0 * 100 }
        limits.fuel = engine.fuel
        limits.timeout = engine.timeout
        limits.stackBytes = engine.stackBytes
        limits.storageBytes = engine.storageBytes
        limits.kvQuotaBytes = kvQuotaBytes
        limits.ipfsQuotaBytes = ipfsQuotaBytes
        limits.netRateBytes = netRateBytes.map { UInt64($0) }
        limits.maxResponseBytes = UInt64(maxResponseBytes)
        limits.maxHandles = maxHandles
        limits.hangAfter = hangAfter
        limits.activityPerSecond = activityPerSecond
        limits.activityBurst = activityBurst
        return limits
    }
}

/// The limits `station run` gives when an option is left out: the runtime's own defaults, read
/// from where they live (``Limits/defaults``, ``StationModuleConfiguration``, the run's block
/// store cap).
public enum RunDefaults {
    public static var moduleLimits: ModuleLimits {
        var limits = ResolvedLimits(asked: ModuleLimits(), defaults: ModuleLimits()).moduleLimits
        limits.ipfsQuotaBytes = UInt64(StoreCollector.defaultCapacity)
        return limits
    }
}
