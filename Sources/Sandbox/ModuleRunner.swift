import Foundation
import SandboxEngine
import Units
import Synchronization
import WASIHost

/// A directory on the host given to the module, under a name the module sees.
public struct DirectoryGrant: Sendable, Hashable {
    public var hostPath: String
    public var guestPath: String
    /// The module may read but not change the directory (a JavaScript module's own folder).
    public var readOnly: Bool

    public init(hostPath: String, guestPath: String, readOnly: Bool = false) {
        self.hostPath = hostPath
        self.guestPath = guestPath
        self.readOnly = readOnly
    }

    /// Parses `HOST[::GUEST]` (the guest path defaults to the host path as given).
    public init(parsing text: String) throws {
        if let range = text.range(of: "::") {
            hostPath = String(text[..<range.lowerBound])
            guestPath = String(text[range.upperBound...])
        } else {
            hostPath = text
            guestPath = text
        }
        readOnly = false
        guard !hostPath.isEmpty, !guestPath.isEmpty else {
            throw SandboxError.runtime("'\(text)' is not HOST[::GUEST]")
        }
    }
}

/// What to call once the module is instantiated.
public enum EntryPoint: Sendable, Hashable {
    /// A WASI command: call `_start` (after `_initialize` for reactors that have both).
    case command
    /// Call an exported function with arguments given as text (parsed by the function's types).
    case function(name: String, arguments: [String])
}

/// Everything needed to run one module once.
public struct RunConfiguration: Sendable {
    public var module: LoadedModule
    /// The module's argv, without argv[0] (the module name is prepended).
    public var arguments: [String] = []
    public var environment: [(String, String)] = []
    public var directories: [DirectoryGrant] = []
    public var stdin: WASIInput = .none
    public var stdout: any WASIOutputSink = FileDescriptorSink(fd: 1)
    public var stderr: any WASIOutputSink = FileDescriptorSink(fd: 2)
    public var limits: Limits = .defaults
    public var engine: EngineChoice = .auto
    public var entryPoint: EntryPoint = .command
    /// Extra host functions (the station ABI adds its imports here).
    public var hostFunctions: [HostFunction] = []
    /// Applied to every host function the module can import (WASI and extra ones), for example to
    /// meter calls. Nil leaves them as they are.
    public var hostFunctionWrapper: (@Sendable ([HostFunction]) -> [HostFunction])?
    /// Whether ``ModuleRunner/stop(_:)`` must be able to end running guest code at any moment.
    /// A deadline or CPU share turns interruption on anyway; without them, `station run` leaves it
    /// off for speed (Ctrl-C then ends the process) and the daemon keeps it on.
    public var stoppable = true

    public init(module: LoadedModule) {
        self.module = module
    }
}

/// How a run ended.
public struct RunOutcome: Sendable {
    /// The process exit status `station run` uses: the module's `proc_exit` code, 0 when it
    /// returned normally, else the class of ``error``.
    public var exitStatus: Int32
    /// Why the module stopped, when it did not finish by itself.
    public var error: SandboxError?
    /// Results of an invoked function.
    public var results: [WasmValue] = []
    /// The engine that ran it, e.g. `wasmtime 50.0.1`.
    public var engine: String = ""
    public var wallTime: Duration = .zero
    /// Instantiation plus the entry point's run (excludes loading the engine, validating and
    /// compiling; on WasmKit, which validates while it instantiates, instantiation is part of
    /// loading).
    public var executionTime: Duration = .zero
    public var cpuTime: Duration = .zero
    public var throttledTime: Duration = .zero
    /// Fuel used, when fuel was metered.
    public var fuelUsed: UInt64?
    /// Linear memory size at the end.
    public var memoryBytes: Int = 0
}

/// Runs one module on its own thread, under its limits, with our WASI host.
public final class ModuleRunner: Sendable {
    public let configuration: RunConfiguration
    /// Watches the run; call ``stop(_:)`` to end it from another thread.
    public let governor: ExecutionGovernor
    /// The running thread's CPU clock and its reading when the run began (nil when not running).
    private let cpuClock = Mutex<(clock: clockid_t, start: Duration)?>(nil)

    public init(configuration: RunConfiguration) {
        self.configuration = configuration
        self.governor = ExecutionGovernor(limits: configuration.limits)
    }

    /// Asks the module to stop as soon as possible.
    public func stop(_ reason: SandboxError = .runtime("stopped by the host")) {
        governor.requestStop(reason)
    }

    /// Runs the module on a new thread sized for its stack limit and waits for it.
    public func run() async -> RunOutcome {
        await withCheckedContinuation { continuation in
            let thread = Thread { [self] in
                continuation.resume(returning: runOnCurrentThread())
            }
            thread.name = "station module \(configuration.module.name)"
            thread.stackSize = Self.threadStackSize(for: configuration.limits)
            thread.start()
        }
    }

    /// CPU time the current run has used so far; readable from any thread (nil when not running).
    public func cpuTimeSoFar() -> Duration? {
        cpuClock.withLock { running in
            guard let running else { return nil }
            var spec = timespec()
            guard clock_gettime(running.clock, &spec) == 0 else { return nil }
            return .seconds(Int64(spec.tv_sec)) + .nanoseconds(Int64(spec.tv_nsec)) - running.start
        }
    }

    /// The native stack a module thread gets: room for the WebAssembly stack plus host frames.
    public static func threadStackSize(for limits: Limits) -> Int {
        max(8 << 20, limits.stackBytes * 2 + (4 << 20))
    }

    /// Runs the module on the calling thread (which must have a large enough stack).
    public func runOnCurrentThread() -> RunOutcome {
        let clockStart = ContinuousClock.now
        let cpuStart = ExecutionGovernor.threadCPUTime()
        var clock = clockid_t()
        if pthread_getcpuclockid(pthread_self(), &clock) == 0 {
            cpuClock.withLock { $0 = (clock, cpuStart) }
        }
        defer { cpuClock.withLock { $0 = nil } }
        var outcome = RunOutcome(exitStatus: 0)
        var instance: (any WasmInstance)?
        var wasi: WASIContext?
        defer { wasi?.close() }
        do {
            let engine = try EngineFactory.engine(
                configuration.engine, settings: EngineSettings(limits: configuration.limits, stoppable: configuration.stoppable))
            outcome.engine = engine.version
            let context = try WASIContext(configuration: wasiConfiguration())
            wasi = context
            var hostFunctions = context.hostFunctions() + configuration.hostFunctions
            if let wrapper = configuration.hostFunctionWrapper { hostFunctions = wrapper(hostFunctions) }
            let loaded = try load(on: engine, hostFunctions: hostFunctions)
            outcome.cpuTime += loaded.cpuTime
            let executionStart = ContinuousClock.now
            defer { outcome.executionTime = ContinuousClock.now - executionStart }
            let created = try loaded.instance ?? engine.instantiate(
                loaded.compiled, hostFunctions: hostFunctions,
                configuration: StoreConfiguration(limits: configuration.limits, governor: governor))
            instance = created
            outcome.results = try callEntryPoint(created)
        } catch let exit as WASIExit {
            outcome.exitStatus = Int32(truncatingIfNeeded: exit.code & 0xFF)
        } catch {
            let sandboxError = classify(error, memorySize: instance?.memorySize ?? 0)
            outcome.error = sandboxError
            outcome.exitStatus = sandboxError.exitStatus
        }
        outcome.wallTime = ContinuousClock.now - clockStart
        outcome.cpuTime += ExecutionGovernor.threadCPUTime() - cpuStart
        outcome.throttledTime = governor.throttledTime
        if let instance {
            outcome.memoryBytes = instance.memorySize
            if let limit = configuration.limits.fuel, let left = instance.remainingFuel {
                outcome.fuelUsed = limit >= left ? limit - left : 0
            }
        }
        return outcome
    }

    /// What the loading thread hands over: the compiled module, the instance when the engine
    /// validates while instantiating, and the CPU time loading took.
    private struct Loaded: @unchecked Sendable {
        // @unchecked: the instance is created on the loading thread and handed over once; that
        // thread never touches it again.
        var compiled: any CompiledModule
        var instance: (any WasmInstance)?
        var cpuTime: Duration
    }

    /// Reads, checks and compiles the module under ``Limits/loadTime`` (see ``BoundedLoad``): on a
    /// thread of its own, abandoned when the limit or the run's deadline passes or the run is
    /// stopped. An engine that validates function bodies only when it instantiates
    /// (``WasmEngine/validatesOnInstantiation``, WasmKit) instantiates there too, so that its
    /// validation is bounded as well; a start function then also runs within the load.
    private func load(on engine: any WasmEngine, hostFunctions: [HostFunction]) throws -> Loaded {
        let wasm = configuration.module.wasm
        let store = StoreConfiguration(limits: configuration.limits, governor: governor)
        do {
            return try BoundedLoad.run(configuration.module.name, limit: configuration.limits.loadTime, governor: governor) {
                let cpuStart = ExecutionGovernor.threadCPUTime()
                let info = try ModuleInfo(wasm: wasm)
                try Self.checkImports(info, provided: hostFunctions)
                let compiled = try engine.compile(wasm)
                let instance = engine.validatesOnInstantiation
                    ? try engine.instantiate(compiled, hostFunctions: hostFunctions, configuration: store) : nil
                return Loaded(compiled: compiled, instance: instance, cpuTime: ExecutionGovernor.threadCPUTime() - cpuStart)
            }
        } catch let error as SandboxError {
            if case .limitExceeded(.loadTime, _) = error {
                // Ends a start function still running on the abandoned thread at its next checkpoint.
                governor.requestStop(error)
            }
            throw error
        }
    }

    private func wasiConfiguration() -> WASIConfiguration {
        var wasi = WASIConfiguration()
        wasi.arguments = [configuration.module.name] + configuration.arguments
        wasi.environment = configuration.environment
        wasi.preopens = configuration.directories.map { WASIPreopen(hostPath: $0.hostPath, guestPath: $0.guestPath, readOnly: $0.readOnly) }
        wasi.stdin = configuration.stdin
        wasi.stdout = configuration.stdout
        wasi.stderr = configuration.stderr
        wasi.storageQuota = configuration.limits.storageBytes
        wasi.maxOpenFiles = configuration.limits.openFiles
        wasi.governor = governor
        return wasi
    }

    private func callEntryPoint(_ instance: any WasmInstance) throws -> [WasmValue] {
        switch configuration.entryPoint {
        case .command:
            let hasStart = instance.exportedFunction("_start") != nil
            if instance.exportedFunction("_initialize") != nil {
                _ = try instance.call("_initialize", [])
            }
            guard hasStart else {
                if instance.exportedFunction("_initialize") != nil { return [] }
                throw SandboxError.missingExport("_start (a WASI command's entry point; use --invoke to call another export)")
            }
            return try instance.call("_start", [])
        case .function(let name, let texts):
            guard let signature = instance.exportedFunction(name) else { throw SandboxError.missingExport(name) }
            guard signature.parameters.count == texts.count else {
                throw SandboxError.link("function '\(name)' takes \(signature.parameters.count) argument(s) \(signature), \(texts.count) given")
            }
            let arguments = try zip(signature.parameters, texts).map(Self.parse)
            if instance.exportedFunction("_initialize") != nil {
                _ = try instance.call("_initialize", [])
            }
            return try instance.call(name, arguments)
        }
    }

    /// Parses a command-line argument as a value of `type`.
    static func parse(_ type: WasmValueType, _ text: String) throws -> WasmValue {
        let invalid = SandboxError.link("'\(text)' is not a valid \(type) argument")
        switch type {
        case .i32:
            if let v = Int32(text) { return .int32(v) }
            if let v = UInt32(text) { return .i32(v) }
        case .i64:
            if let v = Int64(text) { return .int64(v) }
            if let v = UInt64(text) { return .i64(v) }
        case .f32:
            if let v = Float(text) { return .float32(v) }
        case .f64:
            if let v = Double(text) { return .float64(v) }
        }
        throw invalid
    }

    /// Reports the first import the runtime does not provide, before any engine sees the module.
    static func checkImports(_ info: ModuleInfo, provided: [HostFunction]) throws {
        var table: [String: [String: FunctionSignature]] = [:]
        for function in provided { table[function.module, default: [:]][function.name] = function.signature }
        for entry in info.imports {
            let module = entry.module ?? ""
            guard entry.kind == "func" else {
                throw SandboxError.missingImport(module: module, name: entry.name, detail: "a \(entry.kind); this runtime provides only functions")
            }
            guard let provided = table[module]?[entry.name] else {
                throw SandboxError.missingImport(module: module, name: entry.name, detail: "func \(entry.type)")
            }
            if let wanted = entry.signature, wanted != provided {
                throw SandboxError.link("import \(module).\(entry.name) has type \(wanted), but the runtime provides \(provided)")
            }
        }
    }

    /// Normalises errors and reports a trap that followed a refused request as the limit it was.
    ///
    /// Engines note refused `memory.grow`/`table.grow` requests where they can (WasmKit always;
    /// Wasmtime's C API cannot report them), and a trap while linear memory is within one page of
    /// its limit is taken as the memory limit too: that is how C programs react to a failed
    /// `malloc`.
    private func classify(_ error: any Error, memorySize: Int) -> SandboxError {
        guard let sandboxError = error as? SandboxError else {
            if let memoryError = error as? GuestMemoryError {
                return .trap(TrapDescription(kind: .memoryOutOfBounds, message: "\(memoryError)"))
            }
            return .runtime("\(error)")
        }
        guard case .trap(let trap) = sandboxError else { return sandboxError }
        if let denial = governor.lastDenial {
            return .limitExceeded(denial.kind, detail: "\(denial.detail); the module then trapped: \(trap)")
        }
        let limit = configuration.limits.memoryBytes
        if memorySize > 0, UInt64(memorySize) + 65_536 > limit {
            return .limitExceeded(.memory, detail: "linear memory reached its limit of \(Units.formatBytes(limit)); the module then trapped: \(trap)")
        }
        return sandboxError
    }
}
