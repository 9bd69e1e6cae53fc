import Foundation
import Sandbox
import SandboxEngine
import WasmInstrumentation

extension Harness {
    /// A binary module loaded the way `station run` loads it: `ModuleLoader.load` (the header
    /// check), `ModuleInfo` (the import check), the loop instrumentation WasmKit runs under
    /// (``LoopInstrumenter``), then compile and instantiate on WasmKit, with and without the
    /// rewrite, and compile on Wasmtime (when installed), the original and the rewritten bytes.
    /// Function imports are given do-nothing host functions of their type; the start function
    /// runs under fuel, memory and stack limits. Invariants:
    /// - every error has a message;
    /// - the rewrite never makes a valid module invalid: when WasmKit gets past validation of the
    ///   original (instantiates it, or stops it with a trap or a limit), it does so with the
    ///   rewrite too; when Wasmtime compiles the original, it compiles the rewritten bytes.
    /// Text input is left to the WAT harness.
    public static func wasmLoad(_ bytes: [UInt8]) throws {
        guard bytes.starts(with: WasmBinaryHeader.magic) else { return }
        // One input at a time: the Wasmtime cache folder is emptied after each.
        WasmLoadFixture.lock.lock()
        defer { WasmLoadFixture.lock.unlock() }
        let fixture = WasmLoadFixture.shared
        defer { fixture.reset() }
        do {
            _ = try ModuleLoader.load(bytes: bytes, name: "fuzz")
        } catch {
            try fuzzCheck(!"\(error)".isEmpty, "ModuleLoader.load threw an error without a message")
            return
        }
        let info: ModuleInfo
        do {
            info = try ModuleInfo(wasm: bytes)
        } catch {
            try fuzzCheck(!"\(error)".isEmpty, "ModuleInfo threw an error without a message")
            return
        }
        let instrumented: InstrumentedModule?
        do {
            instrumented = try LoopInstrumenter.instrument(bytes)
        } catch {
            try fuzzCheck(!"\(error)".isEmpty, "the instrumentation threw an error without a message")
            instrumented = nil
        }

        // WasmKit: validation happens while instantiating (eager compilation).
        let functionImports = info.imports.compactMap { entry -> HostFunction? in
            guard let module = entry.module, let signature = entry.signature else { return nil }
            return HostFunction(module: module, name: entry.name, parameters: signature.parameters, results: signature.results) { _, _ in
                signature.results.map(WasmLoadFixture.zero)
            }
        }
        // Memories, tables and globals from outside are not something station provides, nor is
        // the rewrite's own checkpoint import (the runner refuses a module importing it before
        // compiling; given a stand-in, it would clash with the one the rewrite adds).
        let reserved = info.imports.contains { $0.module == LoopInstrumenter.checkpointModule }
        if functionImports.count == info.imports.count, !reserved {
            let plain = try fixture.instantiate(bytes, on: fixture.plainWasmKit, hostFunctions: functionImports)
            let rewritten = try fixture.instantiate(bytes, on: fixture.instrumentingWasmKit, hostFunctions: functionImports)
            if instrumented != nil, !WasmLoadFixture.isInvalid(plain) {
                try fuzzCheck(!WasmLoadFixture.isInvalid(rewritten),
                              "WasmKit accepts the module (\(plain.map { "\($0)" } ?? "instantiated")) but not its instrumented form: \(rewritten.map { "\($0)" } ?? "")")
            }
        }

        if let wasmtime = fixture.wasmtime {
            let original = fixture.compileError(bytes, on: wasmtime)
            if let instrumented, original == nil {
                let rewritten = fixture.compileError(instrumented.bytes, on: wasmtime)
                try fuzzCheck(rewritten == nil, "Wasmtime compiles the module but not its instrumented form: \(rewritten.map { "\($0)" } ?? "")")
            }
            if let original {
                try fuzzCheck(!"\(original)".isEmpty, "Wasmtime's error has no message")
            }
        }
    }
}

/// The engines the WasmLoad harness shares across inputs (the engine factory caches them by
/// settings), with Wasmtime's compile cache in a private folder emptied after every input.
final class WasmLoadFixture: Sendable {
    static let shared = WasmLoadFixture()
    static let lock = NSLock()
    /// Small limits: 16 pages, 100 000 fuel for a start function, 64 KiB of stack.
    static let limits = Limits(memoryBytes: 16 << 16, tableElements: 1000, fuel: 100_000, timeout: nil, stackBytes: 64 << 10, loadTime: nil)

    let plainWasmKit: any WasmEngine
    let instrumentingWasmKit: any WasmEngine
    let wasmtime: (any WasmEngine)?
    let cache: URL

    private init() {
        cache = fuzzTemporaryFolder("wasmload")
        let limits = Self.limits
        // `interruptible` is what makes the WasmKit engine rewrite loops (see WasmKitEngine.compile).
        do {
            plainWasmKit = try EngineFactory.engine(.wasmkit, settings: EngineSettings(fuelMetering: true, maxStackBytes: limits.stackBytes, interruptible: false))
            instrumentingWasmKit = try EngineFactory.engine(.wasmkit, settings: EngineSettings(fuelMetering: true, maxStackBytes: limits.stackBytes, interruptible: true))
        } catch {
            fatalError("WasmKit is always available: \(error)")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_CACHE_HOME"] = cache.path
        wasmtime = try? EngineFactory.engine(.wasmtime, settings: EngineSettings(limits: limits), environment: environment)
    }

    func reset() {
        try? FileManager.default.removeItem(at: cache)
    }

    /// Compiles and instantiates on `engine`; nil on success, else the error.
    func instantiate(_ wasm: [UInt8], on engine: any WasmEngine, hostFunctions: [HostFunction]) throws -> (any Error)? {
        do {
            let compiled = try engine.compile(wasm)
            let governor = ExecutionGovernor(limits: Self.limits)
            _ = try engine.instantiate(compiled, hostFunctions: hostFunctions, configuration: StoreConfiguration(limits: Self.limits, governor: governor))
            return nil
        } catch {
            try fuzzCheck(!"\(error)".isEmpty, "\(engine.kind) threw an error without a message")
            return error
        }
    }

    func compileError(_ wasm: [UInt8], on engine: any WasmEngine) -> (any Error)? {
        do {
            _ = try engine.compile(wasm)
            return nil
        } catch {
            return error
        }
    }

    /// Whether the engine refused the module itself (as opposed to stopping its start function).
    static func isInvalid(_ error: (any Error)?) -> Bool {
        guard let error else { return false }
        guard let sandbox = error as? SandboxError else { return true }
        switch sandbox {
        case .trap, .limitExceeded: return false
        default: return true
        }
    }

    @Sendable static func zero(_ type: WasmValueType) -> WasmValue {
        switch type {
        case .i32: .i32(0)
        case .i64: .i64(0)
        case .f32: .f32(0)
        case .f64: .f64(0)
        }
    }
}
