import Foundation
import Sandbox
import SandboxEngine
import Units
import Testing

/// Ordinary runs: the same results on both engines.
@Suite("Module runner")
struct ModuleRunnerTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("the bundled hello example prints its greeting and arguments", arguments: allEngines)
    func hello(engine: EngineChoice) async throws {
        let module = try ModuleLoader.load(path: Self.packageRoot.appendingPathComponent("examples/wat/hello.wat").path)
        let run = try await runModule(module, engine: engine, arguments: ["Alice", "Bob"])
        #expect(run.error == nil, "got \(String(describing: run.error))")
        #expect(run.stdout.text == "Hello from a Station module!\nargument: Alice\nargument: Bob\n")
        #expect(run.outcome.exitStatus == 0)
    }

    @Test("proc_exit sets the exit status", arguments: allEngines)
    func procExit(engine: EngineChoice) async throws {
        let wat = command("(call $exit (i32.const 42))", extra: "(import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32)))")
        let run = try await runModule(wat, engine: engine)
        #expect(run.error == nil)
        #expect(run.outcome.exitStatus == 42)
    }

    @Test("exported functions are called with typed arguments", arguments: allEngines)
    func invokeTyped(engine: EngineChoice) async throws {
        let wat = """
            (module
              (func (export "add64") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
              (func (export "scale") (param f64 f32) (result f64) (f64.mul (local.get 0) (f64.promote_f32 (local.get 1))))
              (func (export "fib") (param i32) (result i32)
                (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
                  (then (local.get 0))
                  (else (i32.add (call 2 (i32.sub (local.get 0) (i32.const 1))) (call 2 (i32.sub (local.get 0) (i32.const 2))))))))
            """
        let add = try await runModule(wat, engine: engine, entry: .function(name: "add64", arguments: ["-5", "9000000000"]))
        #expect(add.outcome.results == [.int64(8_999_999_995)])
        let scale = try await runModule(wat, engine: engine, entry: .function(name: "scale", arguments: ["1.5", "4"]))
        #expect(scale.outcome.results == [.float64(6)])
        let fib = try await runModule(wat, engine: engine, entry: .function(name: "fib", arguments: ["20"]))
        #expect(fib.outcome.results == [.int32(6765)])
    }

    @Test("a bad argument for an exported function is a clear error", arguments: allEngines)
    func invokeBadArgument(engine: EngineChoice) async throws {
        let wat = "(module (func (export \"id\") (param i32) (result i32) (local.get 0)))"
        let run = try await runModule(wat, engine: engine, entry: .function(name: "id", arguments: ["twelve"]))
        #expect(run.outcome.exitStatus == ExitStatus.link)
        #expect(run.error.map { "\($0)" }?.contains("twelve") == true)
    }

    @Test("a module without _start is reported as such", arguments: allEngines)
    func noStart(engine: EngineChoice) async throws {
        let run = try await runModule("(module (func (export \"other\")))", engine: engine)
        guard case .missingExport(let name) = run.error else {
            Issue.record("expected missingExport, got \(String(describing: run.error))")
            return
        }
        #expect(name.hasPrefix("_start"))
    }

    @Test("fuel used is reported", arguments: allEngines)
    func fuelReported(engine: EngineChoice) async throws {
        var limits = Limits.defaults
        limits.fuel = 10_000_000
        let wat = command("(local $i i32) (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))")
        let run = try await runModule(wat, engine: engine, limits: limits)
        #expect(run.error == nil)
        let used = try #require(run.outcome.fuelUsed)
        #expect(used >= 1000, "a 1000-iteration loop used only \(used) fuel")
    }
}

@Suite("Units")
struct UnitsTests {
    @Test func sizes() throws {
        #expect(try Units.parseBytes("64MiB") == 64 << 20)
        #expect(try Units.parseBytes("64m") == 64 << 20)
        #expect(try Units.parseBytes("512 KiB") == 512 << 10)
        #expect(try Units.parseBytes("4096") == 4096)
        #expect(try Units.parseBytes("1.5GiB") == 3 << 29)
        #expect(throws: UnitsError.self) { try Units.parseBytes("lots") }
        #expect(throws: UnitsError.self) { try Units.parseBytes("-1MiB") }
        #expect(throws: UnitsError.self) { try Units.parseBytes("99999999999TiB") }
    }

    @Test func durations() throws {
        #expect(try Units.parseDuration("250ms") == .milliseconds(250))
        #expect(try Units.parseDuration("10s") == .seconds(10))
        #expect(try Units.parseDuration("2m") == .seconds(120))
        #expect(try Units.parseDuration("1.5") == .milliseconds(1500))
        #expect(throws: UnitsError.self) { try Units.parseDuration("soon") }
    }

    @Test func formatting() {
        #expect(Units.formatBytes(64 << 20) == "64 MiB")
        #expect(Units.formatBytes(1536) == "1.5 KiB")
        #expect(Units.formatBytes(10) == "10 bytes")
        #expect(Units.formatDuration(.milliseconds(250)) == "250 ms")
        #expect(Units.formatDuration(.seconds(10)) == "10 s")
    }
}

@Suite("Module info")
struct ModuleInfoTests {
    @Test func importsExportsAndCapabilities() throws {
        let wasm = try ModuleLoader.compileText("""
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "path_open" (func (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
              (memory (export "memory") 2 16)
              (func (export "run") (param i64) (result i32) (i32.const 0)))
            """)
        let info = try ModuleInfo(wasm: wasm)
        #expect(info.imports.map(\.name) == ["fd_write", "path_open"])
        #expect(info.exports.map(\.name) == ["memory", "run"])
        #expect(info.exports[1].signature == FunctionSignature(parameters: [.i64], results: [.i32]))
        #expect(info.memories.first?.minimumPages == 2)
        #expect(info.memories.first?.maximumPages == 16)
        #expect(info.capabilities().contains { $0.name.hasPrefix("filesystem") })
        #expect(info.capabilities().contains { $0.name.hasPrefix("standard streams") })
    }

    @Test func malformedModuleReportsOffset() {
        var bytes = try! ModuleLoader.compileText("(module (func (export \"f\")))")
        bytes[9] = 0xFF  // corrupt the first section's size
        #expect(throws: SandboxError.self) { try ModuleInfo(wasm: bytes) }
    }
}
