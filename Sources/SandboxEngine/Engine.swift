/// The engines the runtime can use.
public enum EngineKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Wasmtime through its C API, loaded at run time (the production engine).
    case wasmtime
    /// WasmKit, the embedded interpreter (always available; the reference for conformance tests).
    case wasmkit

    public var description: String { rawValue }
}

/// Settings fixed when an engine is created: changing them needs another engine (and another
/// compile-cache key).
public struct EngineSettings: Sendable, Hashable {
    /// Whether compiled code counts fuel, so that ``StoreConfiguration/fuel`` can bound it.
    public var fuelMetering: Bool
    /// Maximum WebAssembly stack in bytes.
    public var maxStackBytes: Int
    /// Whether running guest code calls the governor's checkpoint (Wasmtime epochs, WasmKit
    /// loop-header checks). Needed for a deadline, a CPU share or stopping a module from outside;
    /// it costs up to 2.5x on tight loops (BENCHMARKS.md), so runs without those leave it off.
    /// Blocking host calls honour the governor either way.
    public var interruptible: Bool

    public init(fuelMetering: Bool = false, maxStackBytes: Int = Limits.defaults.stackBytes, interruptible: Bool = true) {
        self.fuelMetering = fuelMetering
        self.maxStackBytes = maxStackBytes
        self.interruptible = interruptible
    }

    /// The settings a set of limits needs; `stoppable` asks for interruption even without a
    /// deadline or CPU share (a supervisor that may stop the module at any time).
    public init(limits: Limits, stoppable: Bool = true) {
        self.init(
            fuelMetering: limits.fuel != nil, maxStackBytes: limits.stackBytes,
            interruptible: stoppable || limits.timeout != nil || limits.cpuShare != nil)
    }
}

/// Per-instance configuration: the limits the store enforces and the governor that watches it.
public struct StoreConfiguration: Sendable {
    public var limits: Limits
    /// Stops or throttles execution; checked periodically by the engine while guest code runs.
    public var governor: ExecutionGovernor

    public init(limits: Limits, governor: ExecutionGovernor) {
        self.limits = limits
        self.governor = governor
    }
}

/// An engine: compiles modules and instantiates them. The port every adapter implements.
///
/// Engines are thread-safe and shared; an instance is used by one thread at a time.
public protocol WasmEngine: AnyObject, Sendable {
    /// Which engine this is.
    var kind: EngineKind { get }
    /// Human-readable name and version, e.g. `wasmtime 50.0.1` or `wasmkit 0.4.2`.
    var version: String { get }
    /// The settings this engine was created with.
    var settings: EngineSettings { get }

    /// Validates and compiles a binary module. Throws ``SandboxError/invalidModule(reason:offset:)``.
    func compile(_ wasm: [UInt8]) throws -> any CompiledModule

    /// Whether function bodies are validated and translated only by ``instantiate(_:hostFunctions:configuration:)``
    /// (WasmKit), so that loading a module is not over until then. False by default.
    var validatesOnInstantiation: Bool { get }

    /// Instantiates a compiled module, linking `hostFunctions` by module and name, and runs its
    /// start function. The instance may be handed to another thread once, right after this returns
    /// (the runner instantiates on its loading thread when ``validatesOnInstantiation``); after
    /// that it stays on the thread that runs it.
    func instantiate(
        _ module: any CompiledModule, hostFunctions: [HostFunction], configuration: StoreConfiguration
    ) throws -> any WasmInstance
}

extension WasmEngine {
    public var validatesOnInstantiation: Bool { false }
}

/// A validated, compiled module. Immutable and shareable between threads.
public protocol CompiledModule: AnyObject, Sendable {
    /// The engine that compiled it.
    var engineKind: EngineKind { get }
}

/// A running instance. Confined to the thread that created it.
public protocol WasmInstance: AnyObject {
    /// Calls an exported function. Guest traps and limit hits come back as ``SandboxError``; an
    /// error thrown by a host function comes back as that same error.
    func call(_ export: String, _ arguments: [WasmValue]) throws -> [WasmValue]

    /// The signature of an exported function, or nil when there is no such function export.
    func exportedFunction(_ name: String) -> FunctionSignature?

    /// Fuel left, when fuel is metered.
    var remainingFuel: UInt64? { get }

    /// Current size of linear memory in bytes (0 when the module has none).
    var memorySize: Int { get }
}
