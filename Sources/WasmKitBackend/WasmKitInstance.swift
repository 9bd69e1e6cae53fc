@_spi(Fuzzing) import WasmKit
import SandboxEngine
import Units
import WasmInstrumentation

/// One WasmKit instance with its store, limiter and host-function glue. Thread-confined.
final class WasmKitInstance: WasmInstance, GuestMemoryAccess {
    private let store: Store
    private var instance: WasmKit.Instance!
    private var memory: WasmKit.Memory?
    private let governor: ExecutionGovernor
    private let meteredFuel: Bool
    /// The error a host function threw, returned unchanged from `call`.
    private var pendingHostError: (any Error)?
    private var checkpointPacer = CheckpointPacer()

    init(engine: WasmKitEngine, module: WasmKitModule, hostFunctions: [SandboxEngine.HostFunction], configuration: StoreConfiguration) throws {
        store = Store(engine: engine.engine)
        governor = configuration.governor
        let limits = configuration.limits
        store.resourceLimiter = WasmKitLimiter(limits: limits, governor: governor)
        meteredFuel = engine.settings.fuelMetering
        if meteredFuel {
            store.fuel = Fuel(remaining: limits.fuel ?? .max)
        }

        var imports = Imports()
        for host in hostFunctions {
            imports.define(module: host.module, name: host.name, makeFunction(host))
        }
        if module.instrumented {
            imports.define(
                module: LoopInstrumenter.checkpointModule, name: LoopInstrumenter.checkpointName,
                Function(store: store, parameters: [], results: [.i32]) { [unowned self] _, _ in
                    do {
                        try governor.checkpoint()
                    } catch {
                        pendingHostError = error
                        throw error
                    }
                    return [.i32(UInt32(checkpointPacer.nextBudget()))]
                })
        }
        do {
            instance = try module.module.instantiate(store: store, imports: imports)
        } catch {
            throw mapError(error, phase: .instantiation)
        }
        memory = instance.exports[memory: "memory"]
    }

    private func makeFunction(_ host: SandboxEngine.HostFunction) -> Function {
        let parameters = host.signature.parameters.map(\.wasmKit)
        let results = host.signature.results.map(\.wasmKit)
        let body = host.body
        return Function(store: store, parameters: parameters, results: results) { [unowned self] _, arguments in
            do {
                let values = try body(HostCall(access: self), arguments.map(WasmValue.init))
                return values.map(\.wasmKit)
            } catch {
                pendingHostError = error
                throw error
            }
        }
    }

    func withGuestMemory<R>(_ body: (SandboxEngine.GuestMemory) throws -> R) throws -> R {
        guard let memory else { throw GuestMemoryError.noMemory }
        let size = memory.byteCount
        if size == 0 { return try body(SandboxEngine.GuestMemory(base: nil, size: 0)) }
        return try memory.withUnsafeMutableBufferPointer(offset: 0, count: size) { buffer in
            try body(SandboxEngine.GuestMemory(base: buffer.baseAddress, size: buffer.count))
        }
    }

    func call(_ export: String, _ arguments: [WasmValue]) throws -> [WasmValue] {
        guard let function = instance.exports[function: export] else {
            throw SandboxError.missingExport(export)
        }
        let expected = function.type.parameters
        guard expected.count == arguments.count,
            zip(expected, arguments).allSatisfy({ $0 == $1.type.wasmKit })
        else {
            throw SandboxError.link("function '\(export)' takes \(expected.count) argument(s) of types \(expected), got \(arguments.map(\.type))")
        }
        pendingHostError = nil
        checkpointPacer.reset()
        do {
            return try function.invoke(arguments.map(\.wasmKit)).map(WasmValue.init)
        } catch {
            throw mapError(error, phase: .execution)
        }
    }

    func exportedFunction(_ name: String) -> FunctionSignature? {
        guard let function = instance.exports[function: name] else { return nil }
        let type = function.type
        guard let parameters = type.parameters.compactMapAll(\.sandbox), let results = type.results.compactMapAll(\.sandbox) else {
            return nil
        }
        return FunctionSignature(parameters: parameters, results: results)
    }

    var remainingFuel: UInt64? { meteredFuel ? store.fuel?.remaining : nil }

    var memorySize: Int { memory?.byteCount ?? 0 }

    private func mapError(_ error: any Error, phase: WasmKitErrors.Phase) -> any Error {
        if let pending = pendingHostError {
            pendingHostError = nil
            return pending
        }
        return WasmKitErrors.map(error, phase: phase, stackBytes: store.engine.configuration.stackSize)
    }
}

/// Adapts how many loop iterations pass between checkpoints so that checks happen about every
/// millisecond, whatever the loop body costs.
struct CheckpointPacer {
    private var budget: Int32 = 10_000
    private var last: ContinuousClock.Instant?

    mutating func reset() {
        last = nil
    }

    mutating func nextBudget() -> Int32 {
        let now = ContinuousClock.now
        defer { last = now }
        guard let last else { return budget }
        let elapsed = now - last
        if elapsed < .microseconds(500) {
            budget = min(budget &* 2, 1 << 24)
        } else if elapsed > .milliseconds(2) {
            budget = max(budget / 4, 64)
        }
        return budget
    }
}

/// Enforces memory and table limits on a WasmKit store.
final class WasmKitLimiter: ResourceLimiter, @unchecked Sendable {
    let limits: SandboxEngine.Limits
    let governor: ExecutionGovernor
    private var initialized = false

    init(limits: SandboxEngine.Limits, governor: ExecutionGovernor) {
        self.limits = limits
        self.governor = governor
    }

    func limitMemoryGrowth(to desired: Int) throws -> Bool {
        guard UInt64(desired) <= limits.memoryBytes else {
            let detail = "memory limit of \(Units.formatBytes(limits.memoryBytes)); the module asked for \(Units.formatBytes(UInt64(desired)))"
            governor.noteDenial(.memory, detail: detail)
            return false
        }
        return true
    }

    func limitTableGrowth(to desired: Int) throws -> Bool {
        let cap = limits.effectiveTableElements
        guard UInt64(desired) <= cap else {
            governor.noteDenial(.table, detail: "table limit of \(cap) elements; the module asked for \(desired)")
            return false
        }
        return true
    }
}

extension Array {
    /// Maps every element, or returns nil when any element maps to nil.
    func compactMapAll<T>(_ transform: (Element) -> T?) -> [T]? {
        var result: [T] = []
        result.reserveCapacity(count)
        for element in self {
            guard let mapped = transform(element) else { return nil }
            result.append(mapped)
        }
        return result
    }
}
