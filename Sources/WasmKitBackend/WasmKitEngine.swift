@_spi(Fuzzing) import WasmKit
import SandboxEngine
import WasmInstrumentation
import WasmParser

/// The WasmKit adapter of the engine port: an interpreter embedded in the binary, always
/// available, and the reference every conformance test also runs on.
///
/// WasmKit cannot interrupt running code from outside, so modules are rewritten at load time
/// (``LoopInstrumenter``) to call a checkpoint at loop headers; that checkpoint enforces the
/// deadline and the CPU share through the instance's ``ExecutionGovernor``. Validation is eager,
/// as untrusted code needs. See `docs/interruption.md`.
public final class WasmKitEngine: WasmEngine {
    public let kind: EngineKind = .wasmkit
    public let version = "wasmkit 0.4.2"
    public let settings: EngineSettings
    /// WasmKit validates and translates function bodies when it instantiates a module (eager
    /// compilation), so instantiation is part of loading.
    public let validatesOnInstantiation = true
    let engine: WasmKit.Engine

    /// Creates an engine with the given settings.
    public init(settings: EngineSettings) {
        self.settings = settings
        self.engine = WasmKit.Engine(
            configuration: EngineConfiguration(
                compilationMode: .eager,
                stackSize: max(64 << 10, settings.maxStackBytes),
                features: WasmKitEngine.features,
                fuelMetering: settings.fuelMetering
            )
        )
    }

    /// The WebAssembly features accepted (multi-memory off, so that the memory limit bounds all
    /// linear memory).
    static let features: WasmFeatureSet = [.referenceTypes, .tailCall, .simd]

    public func compile(_ wasm: [UInt8]) throws -> any CompiledModule {
        // Parse the original first, so structural errors carry offsets into the user's file.
        let original = try Self.parse(wasm)
        guard settings.interruptible else {
            return WasmKitModule(module: original, instrumented: false)
        }
        let instrumented: InstrumentedModule
        do {
            instrumented = try LoopInstrumenter.instrument(wasm)
        } catch {
            throw SandboxError.invalidModule(reason: "\(error)", offset: nil)
        }
        return try WasmKitModule(module: Self.parse(instrumented.bytes), instrumented: instrumented.instrumented)
    }

    private static func parse(_ wasm: [UInt8]) throws -> WasmKit.Module {
        do {
            return try parseWasm(bytes: wasm, features: Self.features)
        } catch {
            throw WasmKitErrors.invalidModule(error, wasm: wasm)
        }
    }

    public func instantiate(
        _ module: any CompiledModule, hostFunctions: [SandboxEngine.HostFunction], configuration: StoreConfiguration
    ) throws -> any WasmInstance {
        guard let module = module as? WasmKitModule else {
            throw SandboxError.runtime("a module compiled by \(module.engineKind) cannot run on wasmkit")
        }
        return try WasmKitInstance(engine: self, module: module, hostFunctions: hostFunctions, configuration: configuration)
    }
}

/// A module parsed (and instrumented) for WasmKit.
final class WasmKitModule: CompiledModule {
    let engineKind: EngineKind = .wasmkit
    let module: WasmKit.Module
    let instrumented: Bool

    init(module: WasmKit.Module, instrumented: Bool) {
        self.module = module
        self.instrumented = instrumented
    }
}
