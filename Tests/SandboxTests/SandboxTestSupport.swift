import Foundation
import Sandbox
import SandboxEngine
import Testing
import WASIHost

/// The engines every conformance test runs on.
let allEngines: [EngineChoice] = [.wasmkit, .wasmtime]

/// Runs WAT text (or binary bytes) under `limits` on `engine`, capturing output.
struct TestRun {
    var outcome: RunOutcome
    var stdout: CapturingSink
    var stderr: CapturingSink

    var error: SandboxError? { outcome.error }
}

func runModule(
    _ wat: String, engine: EngineChoice, limits: Limits = .defaults, entry: EntryPoint = .command,
    arguments: [String] = [], configure: (inout RunConfiguration) -> Void = { _ in }
) async throws -> TestRun {
    let module = try ModuleLoader.load(bytes: Array(wat.utf8), name: "test", isTextHint: true)
    return try await runModule(module, engine: engine, limits: limits, entry: entry, arguments: arguments, configure: configure)
}

func runModule(
    _ module: LoadedModule, engine: EngineChoice, limits: Limits = .defaults, entry: EntryPoint = .command,
    arguments: [String] = [], configure: (inout RunConfiguration) -> Void = { _ in }
) async throws -> TestRun {
    try requireEngine(engine)
    var configuration = RunConfiguration(module: module)
    let stdout = CapturingSink(limit: 1 << 20)
    let stderr = CapturingSink(limit: 1 << 20)
    configuration.stdout = stdout
    configuration.stderr = stderr
    configuration.limits = limits
    configuration.engine = engine
    configuration.entryPoint = entry
    configuration.arguments = arguments
    configure(&configuration)
    let outcome = await ModuleRunner(configuration: configuration).run()
    return TestRun(outcome: outcome, stdout: stdout, stderr: stderr)
}

/// Fails loudly when the engine cannot be used here (CI installs Wasmtime first).
func requireEngine(_ engine: EngineChoice) throws {
    do {
        _ = try EngineFactory.engine(engine, settings: EngineSettings())
    } catch {
        Issue.record("engine \(engine) is not usable: \(error). Run: bash scripts/install-extras")
        throw error
    }
}

extension SandboxError {
    var limitKind: LimitKind? {
        if case .limitExceeded(let kind, _) = self { return kind }
        return nil
    }

    var trapKind: TrapKind? {
        if case .trap(let trap) = self { return trap.kind }
        return nil
    }

    var isInvalidModule: Bool {
        if case .invalidModule = self { return true }
        return false
    }
}

/// A module with a WASI-style `_start` that runs `body` (WAT instructions) with a 1-page memory.
func command(_ body: String, memory: String = "(memory (export \"memory\") 1)", extra: String = "") -> String {
    """
    (module
      \(extra)
      \(memory)
      (func (export "_start") \(body)))
    """
}
