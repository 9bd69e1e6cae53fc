import Foundation
import SandboxEngine
import StationTestSupport
import Testing
import WAT
import WasmtimeBackend

/// Shared helpers for the Wasmtime adapter tests.
enum Support {
    /// The installed library; records a failure telling how to install it when missing.
    static func library() throws -> WasmtimeLibrary {
        do {
            return try WasmtimeLibrary.locate()
        } catch {
            Issue.record("libwasmtime 50.0.1 is required for these tests (\(error)). Run `bash scripts/install-extras`.")
            throw error
        }
    }

    /// A fresh engine (no compile cache unless given).
    static func engine(fuel: Bool = false, stack: Int = 1 << 20, cache: URL? = nil) throws -> WasmtimeEngine {
        try WasmtimeEngine(
            settings: EngineSettings(fuelMetering: fuel, maxStackBytes: stack), library: library(), cacheDirectory: cache)
    }

    /// Compiles WAT text to a binary module.
    static func wasm(_ text: String) throws -> [UInt8] {
        try wat2wasm(text)
    }

    /// Compiles and instantiates WAT text.
    static func instantiate(
        _ text: String, engine: WasmtimeEngine, limits: Limits = Limits(), governor: ExecutionGovernor? = nil,
        hostFunctions: [HostFunction] = []
    ) throws -> any WasmInstance {
        let module = try engine.compile(wasm(text))
        let configuration = StoreConfiguration(limits: limits, governor: governor ?? ExecutionGovernor(limits: limits))
        return try engine.instantiate(module, hostFunctions: hostFunctions, configuration: configuration)
    }

    /// Runs `body` on a new thread with a 16 MiB stack (instances need room for the guest's stack)
    /// and waits for it.
    static func onInstanceThread<T>(_ body: @escaping () throws -> T) throws -> T {
        nonisolated(unsafe) let body = body
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.result = Result { try body() }
            done.signal()
        }
        thread.stackSize = 16 << 20
        thread.start()
        done.wait()
        guard let result = box.result else { throw SandboxError.runtime("the instance thread produced nothing") }
        return try result.get()
    }

    /// The error `body` throws, or nil.
    static func error(_ body: () throws -> Void) -> (any Error)? {
        do {
            try body()
            return nil
        } catch {
            return error
        }
    }
}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

