import CWasmtime
import SandboxEngine
import Units

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A running Wasmtime instance: one store, its limits, its host functions. Confined to one thread
/// at a time (the thread that runs it).
///
/// The calling thread's native stack must have room for ``WasmtimeEngine/stackBytes`` plus
/// 256 KiB; calls on a thread with less are refused with ``SandboxError/runtime(_:)`` rather than
/// risking a crash.
public final class WasmtimeInstance: WasmInstance {
    private let module: WasmtimeModule
    private let api: UnsafePointer<cwt_api>
    private let configuration: StoreConfiguration
    private let state: StoreState
    private let store: OpaquePointer
    private let context: OpaquePointer
    private var instance = wasmtime_instance_t()
    /// Whether `instance` refers to a live instance: until instantiation succeeds it holds no
    /// store id, and Wasmtime aborts the process if it is used.
    private var isInstantiated = false
    private var exports: [String: ExportedFunction] = [:]
    private var stackGuard = NativeStackGuard()

    private struct ExportedFunction {
        var function: wasmtime_func_t
        var signature: FunctionSignature?
    }

    init(module: WasmtimeModule, hostFunctions: [HostFunction], configuration: StoreConfiguration) throws {
        let engine = module.engine
        let api = engine.api
        self.module = module
        self.api = api
        self.configuration = configuration
        self.state = StoreState(api: api, governor: configuration.governor)

        if configuration.limits.fuel != nil && !engine.settings.fuelMetering {
            throw SandboxError.runtime("a fuel limit needs an engine created with fuel metering (EngineSettings.fuelMetering)")
        }
        guard let store = api.pointee.wasmtime_store_new(engine.handle, nil, nil) else {
            throw SandboxError.runtime("wasmtime could not create a store")
        }
        self.store = store
        self.context = api.pointee.wasmtime_store_context(store)

        let limits = configuration.limits
        // Multi-memory is off, so one memory (and one instance) per store; a few tables.
        api.pointee.wasmtime_store_limiter(
            store, Int64(clamping: limits.memoryBytes), Int64(clamping: limits.effectiveTableElements), 1, 8, 1)
        api.pointee.wasmtime_store_epoch_deadline_callback(
            store, epochDeadlineCallback, Unmanaged.passRetained(state).toOpaque(), releaseStoreState)
        if engine.settings.interruptible {
            api.pointee.wasmtime_context_set_epoch_deadline(context, 1)
        }
        if engine.settings.fuelMetering {
            if let error = api.pointee.wasmtime_context_set_fuel(context, limits.fuel ?? .max) {
                throw SandboxError.runtime("cannot set fuel: \(WasmtimeMessages(api: api).takeErrorMessage(error))")
            }
        }
        try ensureNativeStack()
        try link(hostFunctions, engine: engine)
    }

    deinit {
        api.pointee.wasmtime_store_delete(store)
    }

    /// Defines the host functions and instantiates (running the start function). An error a host
    /// function throws from the start function comes out unchanged.
    private func link(_ hostFunctions: [HostFunction], engine: WasmtimeEngine) throws {
        guard let linker = api.pointee.wasmtime_linker_new(engine.handle) else {
            throw SandboxError.runtime("wasmtime could not create a linker")
        }
        defer { api.pointee.wasmtime_linker_delete(linker) }
        for function in hostFunctions {
            guard let type = makeFunctionType(function.signature) else {
                throw SandboxError.runtime("wasmtime could not create the type of \(function.module).\(function.name)")
            }
            defer { api.pointee.wasm_functype_delete(type) }
            let binding = Unmanaged.passRetained(HostBinding(function: function, state: state)).toOpaque()
            // On failure Wasmtime drops the callback and runs the finalizer itself.
            let error = function.module.withCString { module in
                function.name.withCString { name in
                    api.pointee.wasmtime_linker_define_func_unchecked(
                        linker, module, strlen(module), name, strlen(name), type,
                        hostFunctionRawTrampoline, binding, releaseHostBinding)
                }
            }
            if let error {
                let message = WasmtimeMessages(api: api).takeErrorMessage(error)
                throw SandboxError.link("cannot define host function \(function.module).\(function.name): \(message)")
            }
        }
        var trap: OpaquePointer?
        let error = api.pointee.wasmtime_linker_instantiate(linker, context, module.handle, &instance, &trap)
        if let pending = state.takePendingError() {
            if let error { _ = WasmtimeMessages(api: api).takeErrorMessage(error) }
            if let trap { _ = WasmtimeMessages(api: api).takeTrap(trap) }
            throw pending
        }
        if let error {
            throw FailureTranslation.instantiation(
                WasmtimeMessages(api: api).takeErrorMessage(error), limits: configuration.limits)
        }
        if let trap {
            throw translate(WasmtimeMessages(api: api).takeTrap(trap))
        }
        isInstantiated = true
    }

    /// Builds a `wasm_functype_t` (owned by the caller).
    private func makeFunctionType(_ signature: FunctionSignature) -> OpaquePointer? {
        var parameters = makeTypeVector(signature.parameters)
        var results = makeTypeVector(signature.results)
        return api.pointee.wasm_functype_new(&parameters, &results)
    }

    private func makeTypeVector(_ types: [WasmValueType]) -> wasm_valtype_vec_t {
        var vector = wasm_valtype_vec_t()
        let elements = types.map { api.pointee.wasm_valtype_new(ValueBridge.valueKind($0)) }
        elements.withUnsafeBufferPointer { buffer in
            api.pointee.wasm_valtype_vec_new(&vector, buffer.count, buffer.baseAddress)
        }
        return vector
    }

    // MARK: WasmInstance

    public func call(_ export: String, _ arguments: [WasmValue]) throws -> [WasmValue] {
        try callFunction(export, arguments)
    }

    /// Calls an export; errors are ``SandboxError`` values, or exactly what a host function threw.
    private func callFunction(_ name: String, _ arguments: [WasmValue]) throws -> [WasmValue] {
        guard var exported = lookUp(name) else { throw SandboxError.missingExport(name) }
        guard let signature = exported.signature else {
            throw SandboxError.runtime("function '\(name)' uses value types Station cannot pass (references or vectors)")
        }
        guard arguments.count == signature.parameters.count,
              zip(arguments, signature.parameters).allSatisfy({ $0.type == $1 })
        else {
            let given = arguments.map(\.type.description).joined(separator: ", ")
            throw SandboxError.runtime("function '\(name)' takes \(signature.parameters.map(\.description)) but was called with (\(given))")
        }
        try ensureNativeStack()

        var parameters = arguments.map(ValueBridge.wasmtimeValue)
        var results = [wasmtime_val_t](repeating: wasmtime_val_t(), count: signature.results.count)
        var trap: OpaquePointer?
        _ = state.takePendingError()
        let error = parameters.withUnsafeMutableBufferPointer { input in
            results.withUnsafeMutableBufferPointer { output in
                api.pointee.wasmtime_func_call(
                    context, &exported.function, input.baseAddress, input.count, output.baseAddress, output.count, &trap)
            }
        }
        if error != nil || trap != nil {
            let messages = WasmtimeMessages(api: api)
            let errorText = error.map { messages.takeErrorMessage($0) }
            let report = trap.map { messages.takeTrap($0) }
            if let pending = state.takePendingError() { throw pending }
            if let report { throw translate(report) }
            throw SandboxError.runtime(errorText ?? "the call failed")
        }
        var values: [WasmValue] = []
        values.reserveCapacity(results.count)
        for result in results {
            guard let value = ValueBridge.portValue(result) else {
                throw SandboxError.runtime("function '\(name)' returned a value Station cannot pass")
            }
            values.append(value)
        }
        return values
    }

    public func exportedFunction(_ name: String) -> FunctionSignature? {
        lookUp(name)?.signature
    }

    public var remainingFuel: UInt64? {
        guard module.engine.settings.fuelMetering else { return nil }
        var fuel: UInt64 = 0
        if let error = api.pointee.wasmtime_context_get_fuel(context, &fuel) {
            _ = WasmtimeMessages(api: api).takeErrorMessage(error)
            return nil
        }
        return fuel
    }

    public var memorySize: Int {
        guard isInstantiated else { return 0 }
        var item = wasmtime_extern_t()
        let found = "memory".withCString { api.pointee.wasmtime_instance_export_get(context, &instance, $0, 6, &item) }
        guard found, Int32(item.kind) == CWT_EXTERN_MEMORY else { return 0 }
        return api.pointee.wasmtime_memory_data_size(context, &item.of.memory)
    }

    // MARK: Helpers

    private func lookUp(_ name: String) -> ExportedFunction? {
        if let cached = exports[name] { return cached }
        guard isInstantiated else { return nil }
        var item = wasmtime_extern_t()
        let found = name.withCString { api.pointee.wasmtime_instance_export_get(context, &instance, $0, strlen($0), &item) }
        guard found, Int32(item.kind) == CWT_EXTERN_FUNC else { return nil }
        var function = item.of.func
        let exported = ExportedFunction(function: function, signature: signature(of: &function))
        exports[name] = exported
        return exported
    }

    private func signature(of function: inout wasmtime_func_t) -> FunctionSignature? {
        guard let type = api.pointee.wasmtime_func_type(context, &function) else { return nil }
        defer { api.pointee.wasm_functype_delete(type) }
        guard let parameters = types(api.pointee.wasm_functype_params(type)),
              let results = types(api.pointee.wasm_functype_results(type))
        else { return nil }
        return FunctionSignature(parameters: parameters, results: results)
    }

    private func types(_ vector: UnsafePointer<wasm_valtype_vec_t>) -> [WasmValueType]? {
        let count = vector.pointee.size
        guard count > 0 else { return [] }
        guard let data = vector.pointee.data else { return nil }
        var out: [WasmValueType] = []
        for index in 0..<count {
            guard let element = data[index], let type = ValueBridge.valueType(api.pointee.wasm_valtype_kind(element)) else {
                return nil
            }
            out.append(type)
        }
        return out
    }

    private func translate(_ report: TrapReport) -> SandboxError {
        let error = FailureTranslation.trap(
            report, limits: configuration.limits, stackBytes: module.engine.stackBytes, governor: configuration.governor)
        if case .trap(let trap) = error, trap.kind == .memoryOutOfBounds {
            noteMemoryDenialIfFull()
        }
        return error
    }

    /// Wasmtime's static limiter does not report refused `memory.grow`s. When an out-of-bounds
    /// access happens with memory within one page of its limit, the limit is the likely cause:
    /// note it so the runner can say so.
    private func noteMemoryDenialIfFull() {
        let limit = configuration.limits.memoryBytes
        let size = UInt64(memorySize)
        if size > 0, size &+ 65536 > limit {
            configuration.governor.noteDenial(
                .memory, detail: "linear memory is at its limit of \(Units.formatBytes(limit))")
        }
    }

    private func ensureNativeStack() throws(SandboxError) {
        let needed = module.engine.stackBytes + NativeStackGuard.margin
        if let remaining = stackGuard.remainingBytes(), remaining < needed {
            throw .runtime(
                "the calling thread has \(Units.formatBytes(UInt64(remaining))) of native stack left, but WebAssembly may use "
                    + "\(Units.formatBytes(UInt64(module.engine.stackBytes))); run instances on a thread with at least "
                    + "\(Units.formatBytes(UInt64(needed))) of stack")
        }
    }
}
