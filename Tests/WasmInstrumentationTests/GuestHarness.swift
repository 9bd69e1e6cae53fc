import WAT
import WasmInstrumentation
import WasmKit
import WasmParser

/// Counts checkpoint calls and decides what the host checkpoint does.
final class CheckpointHost: @unchecked Sendable {
    var calls = 0
    /// The budget the checkpoint returns.
    let nextBudget: Int32
    /// When set, the checkpoint throws on this call number (1-based), like an expired deadline.
    let failOnCall: Int?

    init(nextBudget: Int32, failOnCall: Int? = nil) {
        self.nextBudget = nextBudget
        self.failOnCall = failOnCall
    }
}

/// The error the test checkpoint throws to end a runaway guest.
struct DeadlineExceeded: Error {}

/// Compiles WAT fixtures and runs modules on WasmKit with eager (validating) compilation.
enum GuestHarness {
    static let features: WasmFeatureSet = [.referenceTypes, .tailCall, .exceptionHandling, .simd]

    static func wasm(_ wat: String, names: Bool = false) throws -> [UInt8] {
        try wat2wasm(wat, features: features, options: EncodeOptions(nameSection: names))
    }

    /// Instantiates `bytes` (validating every function) and calls `function` with `arguments`.
    /// `host` supplies the checkpoint import; `extraImports` adds the fixture's own imports.
    static func run(
        _ bytes: [UInt8], function: String, _ arguments: [Value] = [], host: CheckpointHost? = nil,
        extraImports: (Store, inout Imports) -> Void = { _, _ in }
    ) throws -> [Value] {
        let instance = try instantiate(bytes, host: host, extraImports: extraImports)
        guard let exported = instance.exports[function: function] else {
            throw HarnessError.missingExport(function)
        }
        return try exported(arguments)
    }

    static func instantiate(
        _ bytes: [UInt8], host: CheckpointHost? = nil, extraImports: (Store, inout Imports) -> Void = { _, _ in }
    ) throws -> Instance {
        let engine = Engine(configuration: EngineConfiguration(compilationMode: .eager, features: features))
        let store = Store(engine: engine)
        let module = try parseWasm(bytes: bytes, features: features)
        var imports = Imports()
        if let host {
            let checkpoint = Function(store: store, parameters: [], results: [.i32]) { _, _ in
                host.calls += 1
                if let failOn = host.failOnCall, host.calls >= failOn { throw DeadlineExceeded() }
                return [.i32(UInt32(bitPattern: host.nextBudget))]
            }
            imports.define(module: LoopInstrumenter.checkpointModule, name: LoopInstrumenter.checkpointName, checkpoint)
        }
        extraImports(store, &imports)
        return try module.instantiate(store: store, imports: imports)
    }

    /// Runs the fixture before and after instrumentation and returns both results and the host.
    static func compare(
        _ original: [UInt8], function: String, _ arguments: [Value] = [], budget: Int32 = 3,
        extraImports: (Store, inout Imports) -> Void = { _, _ in }
    ) throws -> (original: [Value], instrumented: [Value], host: CheckpointHost, module: InstrumentedModule) {
        let expected = try run(original, function: function, arguments, extraImports: extraImports)
        let module = try LoopInstrumenter.instrument(original, initialBudget: budget)
        let host = CheckpointHost(nextBudget: budget)
        let actual = try run(module.bytes, function: function, arguments, host: host, extraImports: extraImports)
        return (expected, actual, host, module)
    }
}

enum HarnessError: Error {
    case missingExport(String)
}
