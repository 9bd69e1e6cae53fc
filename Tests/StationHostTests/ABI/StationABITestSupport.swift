import Foundation
import Sandbox
import SandboxEngine
import StationHost
import Testing
import WASIHost

/// The engines every ABI test runs on.
let abiEngines: [EngineChoice] = [.wasmkit, .wasmtime]

/// A module run with the station ABI linked in.
struct StationRun {
    var outcome: RunOutcome
    var stdout: CapturingSink
    var events: CollectingEventSink
    var operations: StationOperations

    /// The i32 the `test` export returned.
    var result: Int32? {
        guard let first = outcome.results.first, case .i32(let bits) = first else { return nil }
        return Int32(bitPattern: bits)
    }

    var output: String { String(decoding: stdout.bytes, as: UTF8.self) }
}

/// Runs `wat` calling its `test` export (or `_start` when `entry` says so) with the station ABI.
func runStation(
    _ wat: String, engine: EngineChoice, entry: EntryPoint = .function(name: "test", arguments: []),
    limits: Limits = .defaults, p2pNode: SharedP2PNode? = nil, content: SharedContent? = nil,
    configure: (inout StationModuleConfiguration) throws -> Void = { _ in }
) async throws -> StationRun {
    do {
        _ = try EngineFactory.engine(engine, settings: EngineSettings())
    } catch {
        Issue.record("engine \(engine) is not usable: \(error). Run: bash scripts/install-extras")
        throw error
    }
    var stationConfiguration = StationModuleConfiguration(identity: StationIdentity(moduleName: "abi-test", stationID: "station-1", walletAddress: "f1wallet"))
    try configure(&stationConfiguration)
    let events = CollectingEventSink()
    let operations = StationOperations(
        configuration: stationConfiguration, events: events, jobs: JobLedger(sink: events), p2pNode: p2pNode, content: content)
    let module = try ModuleLoader.load(bytes: Array(wat.utf8), name: "abi-test", isTextHint: true)
    var configuration = RunConfiguration(module: module)
    let stdout = CapturingSink(limit: 1 << 20)
    configuration.stdout = stdout
    configuration.stderr = CapturingSink(limit: 1 << 20)
    configuration.engine = engine
    configuration.entryPoint = entry
    configuration.limits = limits
    configuration.hostFunctions = StationABI.hostFunctions(operations)
    let runner = ModuleRunner(configuration: configuration)
    operations.attach(governor: runner.governor)
    let outcome = await runner.run()
    operations.close()
    return StationRun(outcome: outcome, stdout: stdout, events: events, operations: operations)
}

/// WAT imports of every station function (from ``StationImports``, so a new host call is
/// importable in tests at once), each named `$` + its name, plus WASI `fd_write` to print.
let stationImports = (["  (import \"wasi_snapshot_preview1\" \"fd_write\" (func $fd_write (param i32 i32 i32 i32) (result i32)))"]
    + StationImports.all.map { function in
        let parameters = function.parameters.isEmpty ? "" : " (param \(function.parameters.map { "\($0.type)" }.joined(separator: " ")))"
        return "  (import \"station\" \"\(function.name)\" (func $\(function.name)\(parameters) (result i32)))"
    }).joined(separator: "\n")

/// WAT: waits (up to 5 s) until handle `$h` is ready, using scratch memory at 4000.
let pollOne = """
  (i32.store (i32.const 4000) (local.get $h))
  (drop (call $poll (i32.const 4000) (i32.const 1) (i32.const 4004) (i64.const 5000)))
"""

/// WAT: reads handle `$h` to its end into memory at 5000, counting bytes in `$total`; returns
/// -101 from the test on an error other than would-block.
let readToEnd = """
  (block $end (loop $more
    (local.set $n (call $read (local.get $h) (i32.add (i32.const 5000) (local.get $total)) (i32.const 1000)))
    (if (i32.gt_s (local.get $n) (i32.const 0)) (then (local.set $total (i32.add (local.get $total) (local.get $n))) (br $more)))
    (br_if $end (i32.eqz (local.get $n)))
    (if (i32.ne (local.get $n) (i32.const -4)) (then (call $print_error) (return (i32.const -101))))
    \(pollOne)
    (br $more)))
"""

/// A module with the station imports, one page of memory, `data` segments and `body` as the
/// `test` export (returning i32). `$print` writes `len` bytes at `ptr` to stdout (scratch iovec at
/// 60000).
func stationModule(_ body: String, data: String = "", pages: Int = 1, locals: String = "") -> String {
    """
    (module
      \(stationImports)
      (memory (export "memory") \(pages))
      \(data)
      (func $print (param $ptr i32) (param $len i32)
        (i32.store (i32.const 60000) (local.get $ptr))
        (i32.store (i32.const 60004) (local.get $len))
        (drop (call $fd_write (i32.const 1) (i32.const 60000) (i32.const 1) (i32.const 60008))))
      (func $print_error
        (call $print (i32.const 50000) (call $last_error (i32.const 50000) (i32.const 4000))))
      (func (export "test") (result i32) \(locals)
        \(body)))
    """
}
