import CWasmtime
import Foundation
import SandboxEngine

/// The production engine: Wasmtime 50.0.1 through its C API, loaded at run time.
///
/// Configuration: Cranelift optimising for speed, epoch interruption always on (a process-wide
/// thread advances every engine's epoch every 10 ms and each store's deadline callback asks its
/// ``ExecutionGovernor`` whether to go on), fuel metering when ``EngineSettings/fuelMetering`` is
/// set, `max_wasm_stack` from ``EngineSettings/maxStackBytes``, multi-memory off.
public final class WasmtimeEngine: WasmEngine, @unchecked Sendable {
    public var kind: EngineKind { .wasmtime }
    public var version: String { "wasmtime \(WasmtimeLibrary.version)" }
    public let settings: EngineSettings
    /// The library this engine runs on.
    public let library: WasmtimeLibrary
    /// Where compiled modules are cached (nil: no cache).
    public let cacheDirectory: URL?
    /// The `max_wasm_stack` actually configured (``EngineSettings/maxStackBytes`` clamped to
    /// 16 KiB ... 512 MiB).
    public let stackBytes: Int

    let api: UnsafePointer<cwt_api>
    let handle: OpaquePointer
    private let tickerTicket: UInt64
    private let compileCache: CompileCache?

    /// Creates an engine.
    ///
    /// - Parameters:
    ///   - settings: fuel metering and stack size.
    ///   - library: a verified library from ``WasmtimeLibrary/locate(environment:verdictCacheDirectory:)``.
    ///   - cacheDirectory: where compiled modules are cached, or nil for no cache.
    public init(settings: EngineSettings, library: WasmtimeLibrary, cacheDirectory: URL?) throws(SandboxError) {
        self.settings = settings
        self.library = library
        self.cacheDirectory = cacheDirectory
        self.api = library.api
        let stackBytes = min(max(settings.maxStackBytes, 16 << 10), 512 << 20)
        self.stackBytes = stackBytes

        let api = library.api.pointee
        guard let config = api.wasm_config_new() else {
            throw .engineUnavailable("wasmtime could not create an engine configuration")
        }
        api.wasmtime_config_strategy_set(config, wasmtime_strategy_t(CWT_STRATEGY_CRANELIFT))
        api.wasmtime_config_cranelift_opt_level_set(config, wasmtime_opt_level_t(CWT_OPT_LEVEL_SPEED))
        api.wasmtime_config_consume_fuel_set(config, settings.fuelMetering)
        api.wasmtime_config_epoch_interruption_set(config, settings.interruptible)
        api.wasmtime_config_wasm_multi_memory_set(config, false)
        // Wasmtime refuses a max_wasm_stack above the async stack size (2 MiB by default), even
        // with async support off, so raise that first.
        api.wasmtime_config_async_stack_size_set(config, max(stackBytes, 2 << 20))
        api.wasmtime_config_max_wasm_stack_set(config, stackBytes)
        // Takes ownership of `config`.
        guard let handle = api.wasm_engine_new_with_config(config) else {
            throw .engineUnavailable("wasmtime could not create an engine")
        }
        self.handle = handle
        self.compileCache = cacheDirectory.map {
            CompileCache(directory: $0, settings: settings, librarySHA256: library.sha256, stackBytes: stackBytes)
        }
        self.tickerTicket = EpochTicker.shared.register(engine: handle, api: library.api)
    }

    /// Finds the library (see ``WasmtimeLibrary``) and creates an engine on it.
    public convenience init(
        settings: EngineSettings,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        cacheDirectory: URL?
    ) throws(SandboxError) {
        let library: WasmtimeLibrary
        do {
            library = try WasmtimeLibrary.locate(environment: environment)
        } catch {
            throw error.sandboxError
        }
        try self.init(settings: settings, library: library, cacheDirectory: cacheDirectory)
    }

    deinit {
        EpochTicker.shared.unregister(tickerTicket)
        api.pointee.wasm_engine_delete(handle)
    }

    /// `${XDG_CACHE_HOME:-~/.cache}/station/wasmtime-modules`, the default compile cache.
    public static func defaultCacheDirectory(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL {
        let base: String
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.cache"
        }
        return URL(fileURLWithPath: base).appendingPathComponent("station/wasmtime-modules", isDirectory: true)
    }

    // MARK: Compiling

    public func compile(_ wasm: [UInt8]) throws -> any CompiledModule {
        try compileModule(wasm)
    }

    /// Compiles (or loads from the compile cache) a binary module.
    public func compileModule(_ wasm: [UInt8]) throws(SandboxError) -> WasmtimeModule {
        guard !wasm.isEmpty else { throw .invalidModule(reason: "the file is empty", offset: 0) }
        if let problem = WasmBinaryHeader.problem(in: wasm) { throw .invalidModule(reason: problem, offset: 4) }
        guard let cache = compileCache else {
            return WasmtimeModule(engine: self, handle: try compileFresh(wasm), origin: .compiled)
        }
        let file = cache.fileURL(for: wasm)
        var refused = false
        if FileIdentity(path: file.path) != nil {
            var module: OpaquePointer?
            let error = file.path.withCString { api.pointee.wasmtime_module_deserialize_file(handle, $0, &module) }
            if let error {
                _ = WasmtimeMessages(api: api).takeErrorMessage(error)
                cache.discard(file)
                refused = true
            } else if let module {
                return WasmtimeModule(engine: self, handle: module, origin: .cacheHit)
            }
        }
        let module = try compileFresh(wasm)
        var serialized = wasm_byte_vec_t()
        if let error = api.pointee.wasmtime_module_serialize(module, &serialized) {
            _ = WasmtimeMessages(api: api).takeErrorMessage(error)
        } else {
            if let data = serialized.data {
                cache.store(UnsafeRawBufferPointer(start: data, count: serialized.size), at: file)
            }
            api.pointee.wasm_byte_vec_delete(&serialized)
        }
        return WasmtimeModule(engine: self, handle: module, origin: refused ? .recompiledAfterCorruptCache : .compiled)
    }

    private func compileFresh(_ wasm: [UInt8]) throws(SandboxError) -> OpaquePointer {
        var module: OpaquePointer?
        let error = wasm.withUnsafeBufferPointer { bytes in
            api.pointee.wasmtime_module_new(handle, bytes.baseAddress, bytes.count, &module)
        }
        if let error {
            throw FailureTranslation.invalidModule(WasmtimeMessages(api: api).takeErrorMessage(error))
        }
        guard let module else { throw .runtime("wasmtime returned no module and no error") }
        return module
    }

    // MARK: Instantiating

    public func instantiate(
        _ module: any CompiledModule, hostFunctions: [HostFunction], configuration: StoreConfiguration
    ) throws -> any WasmInstance {
        guard let module = module as? WasmtimeModule, module.engine === self else {
            throw SandboxError.runtime("the module was compiled by another engine; compile it with this one")
        }
        return try WasmtimeInstance(module: module, hostFunctions: hostFunctions, configuration: configuration)
    }
}
