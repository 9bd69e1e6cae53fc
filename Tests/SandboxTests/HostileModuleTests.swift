import Foundation
import Sandbox
import SandboxEngine
import Testing

/// The hostile cases of the sandbox issue: each must end with a clear error on both engines,
/// never a crash or a hang.
@Suite("Hostile modules")
struct HostileModuleTests {
    @Test("an infinite loop stops at the deadline", arguments: allEngines)
    func infiniteLoop(engine: EngineChoice) async throws {
        var limits = Limits.defaults
        limits.timeout = .milliseconds(300)
        let run = try await runModule(command("(loop $l (br $l))"), engine: engine, limits: limits)
        #expect(run.error?.limitKind == .timeout, "got \(String(describing: run.error))")
        #expect(run.outcome.exitStatus == ExitStatus.limit)
    }

    @Test("an infinite loop inside a called function stops at the deadline", arguments: allEngines)
    func infiniteLoopInCallee(engine: EngineChoice) async throws {
        var limits = Limits.defaults
        limits.timeout = .milliseconds(200)
        let wat = command("(call $spin)", extra: "(func $spin (local $i i32) (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)))")
        let run = try await runModule(wat, engine: engine, limits: limits)
        #expect(run.error?.limitKind == .timeout)
    }

    @Test("deep recursion hits the stack limit", arguments: allEngines)
    func deepRecursion(engine: EngineChoice) async throws {
        let wat = command("(call $down (i32.const 0))", extra: "(func $down (param i32) (call $down (i32.add (local.get 0) (i32.const 1))))")
        let run = try await runModule(wat, engine: engine)
        #expect(run.error?.limitKind == .stack, "got \(String(describing: run.error))")
        #expect(run.outcome.exitStatus == ExitStatus.limit)
    }

    @Test("a memory.grow loop is refused at the memory limit", arguments: allEngines)
    func memoryGrowLoop(engine: EngineChoice) async throws {
        var limits = Limits.defaults
        limits.memoryBytes = 4 << 20
        // Grows one page at a time until refused, then traps.
        let wat = command("(loop $l (br_if $l (i32.ne (memory.grow (i32.const 1)) (i32.const -1)))) unreachable")
        let run = try await runModule(wat, engine: engine, limits: limits)
        #expect(run.error?.limitKind == .memory, "got \(String(describing: run.error))")
    }

    @Test("memory.grow beyond the limit returns -1 and the module may carry on", arguments: allEngines)
    func memoryGrowReturnsMinusOne(engine: EngineChoice) async throws {
        var limits = Limits.defaults
        limits.memoryBytes = 1 << 20
        let wat = """
            (module (memory (export "memory") 1)
              (func (export "grow") (result i32) (memory.grow (i32.const 100))))
            """
        let run = try await runModule(wat, engine: engine, limits: limits, entry: .function(name: "grow", arguments: []))
        #expect(run.error == nil)
        #expect(run.outcome.results == [.int32(-1)])
    }

    @Test("initial memory larger than the limit is refused", arguments: allEngines)
    func initialMemoryTooLarge(engine: EngineChoice) async throws {
        var limits = Limits.defaults
        limits.memoryBytes = 1 << 20
        let run = try await runModule(command("", memory: "(memory (export \"memory\") 100)"), engine: engine, limits: limits)
        #expect(run.error?.limitKind == .memory, "got \(String(describing: run.error))")
    }

    @Test("a table growth bomb is refused at the table limit", arguments: allEngines)
    func tableGrowthBomb(engine: EngineChoice) async throws {
        var limits = Limits.defaults
        limits.tableElements = 10_000
        let wat = command(
            "(loop $l (br_if $l (i32.ne (table.grow $t (ref.null func) (i32.const 1000)) (i32.const -1)))) unreachable",
            extra: "(table $t 0 funcref)")
        let run = try await runModule(wat, engine: engine, limits: limits)
        switch engine {
        case .wasmtime:
            // Wasmtime's C API limiter refuses the growth (table.grow returns -1, so the table stays
            // bounded) but cannot report it: the run ends with the trap that followed.
            #expect(run.error?.trapKind == .unreachable, "got \(String(describing: run.error))")
        default:
            #expect(run.error?.limitKind == .table, "got \(String(describing: run.error))")
        }
    }

    @Test("100,000 tiny functions load and run", arguments: allEngines)
    func manyFunctions(engine: EngineChoice) async throws {
        let count = 100_000
        let module = LoadedModule(name: "many", wasm: manyFunctionsModule(count: count))
        // What is tested is that they load at all; how long a debug build takes on a busy machine
        // is not (it came within seconds of the default load-time limit on a loaded 2-core box).
        var limits = Limits.defaults
        limits.loadTime = nil
        let run = try await runModule(module, engine: engine, limits: limits, entry: .function(name: "last", arguments: []))
        #expect(run.error == nil, "got \(String(describing: run.error))")
        #expect(run.outcome.results == [.int32(Int32((count - 1) % 7))])
    }

    @Test("a data segment larger than memory fails instantiation cleanly", arguments: allEngines)
    func hugeDataSegment(engine: EngineChoice) async throws {
        let payload = String(repeating: "\\00", count: 200_000)
        let wat = "(module (memory (export \"memory\") 1) (data (i32.const 0) \"\(payload)\") (func (export \"_start\")))"
        let run = try await runModule(wat, engine: engine)
        let error = try #require(run.error)
        #expect(error.trapKind == .memoryOutOfBounds || error.isInvalidModule || error.limitKind == .memory, "got \(error)")
    }

    @Test("garbage bytes are an invalid module", arguments: allEngines)
    func garbage(engine: EngineChoice) async throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = [UInt8(0x00), 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00] + (0..<512).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let run = try await runModule(LoadedModule(name: "garbage", wasm: bytes), engine: engine)
        #expect(run.error?.isInvalidModule == true, "got \(String(describing: run.error))")
        #expect(run.outcome.exitStatus == ExitStatus.invalidModule)
    }

    @Test("a truncated module is an invalid module with an offset", arguments: allEngines)
    func truncated(engine: EngineChoice) async throws {
        let full = try ModuleLoader.compileText(command("(drop (i32.add (i32.const 1) (i32.const 2)))"))
        let run = try await runModule(LoadedModule(name: "cut", wasm: Array(full.prefix(full.count - 5))), engine: engine)
        guard case .invalidModule(_, let offset) = run.error else {
            Issue.record("expected invalidModule, got \(String(describing: run.error))")
            return
        }
        #expect(offset != nil)
    }

    @Test("wrong magic is refused before any engine sees it")
    func wrongMagic() throws {
        #expect(throws: SandboxError.self) {
            try ModuleLoader.load(bytes: [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00], name: "elf")
        }
    }

    @Test("an out-of-bounds access traps", arguments: allEngines)
    func outOfBounds(engine: EngineChoice) async throws {
        let run = try await runModule(command("(drop (i32.load (i32.const 70000)))"), engine: engine)
        #expect(run.error?.trapKind == .memoryOutOfBounds, "got \(String(describing: run.error))")
        #expect(run.outcome.exitStatus == ExitStatus.trap)
    }

    @Test("unreachable traps and names the function", arguments: allEngines)
    func unreachable(engine: EngineChoice) async throws {
        let wat = command("(call $explode)", extra: "(func $explode unreachable)")
        let run = try await runModule(wat, engine: engine)
        guard case .trap(let trap) = run.error else {
            Issue.record("expected a trap, got \(String(describing: run.error))")
            return
        }
        #expect(trap.kind == .unreachable)
        #expect(trap.function?.contains("explode") == true, "function: \(String(describing: trap.function))")
    }

    @Test("fuel runs out", arguments: allEngines)
    func fuel(engine: EngineChoice) async throws {
        var limits = Limits.defaults
        limits.fuel = 100_000
        let run = try await runModule(command("(loop $l (br $l))"), engine: engine, limits: limits)
        #expect(run.error?.limitKind == .fuel, "got \(String(describing: run.error))")
    }

    @Test("a stop request from another thread ends a spinning module", arguments: allEngines)
    func stopRequest(engine: EngineChoice) async throws {
        try requireEngine(engine)
        var configuration = RunConfiguration(module: try ModuleLoader.load(bytes: Array(command("(loop $l (br $l))").utf8), name: "spin", isTextHint: true))
        configuration.engine = engine
        let runner = ModuleRunner(configuration: configuration)
        async let outcome = runner.run()
        try await Task.sleep(for: .milliseconds(100))
        runner.stop(.runtime("test stop"))
        let result = await outcome
        guard case .runtime(let message) = result.error else {
            Issue.record("expected the stop reason, got \(String(describing: result.error))")
            return
        }
        #expect(message == "test stop")
    }

    @Test("a missing import is named before instantiation", arguments: allEngines)
    func missingImport(engine: EngineChoice) async throws {
        let wat = "(module (import \"env\" \"launch_missiles\" (func (param i32))) (func (export \"_start\")))"
        let run = try await runModule(wat, engine: engine)
        guard case .missingImport(let module, let name, _) = run.error else {
            Issue.record("expected missingImport, got \(String(describing: run.error))")
            return
        }
        #expect(module == "env" && name == "launch_missiles")
        #expect(run.outcome.exitStatus == ExitStatus.link)
    }

    @Test("CPU share throttles a spinning module instead of killing it", arguments: allEngines)
    func cpuThrottle(engine: EngineChoice) async throws {
        var limits = Limits.defaults
        limits.cpuShare = 0.25
        limits.timeout = .milliseconds(800)
        let run = try await runModule(command("(loop $l (br $l))"), engine: engine, limits: limits)
        // Only the deadline ends it; how much it was paused depends on the machine's load, so the
        // pausing itself is tested with a simulated clock in ExecutionGovernorTests and measured
        // in BENCHMARKS.md.
        #expect(run.error?.limitKind == .timeout)
    }
}

/// A binary module with `count` functions `() -> i32` returning `index % 7`, the last exported as
/// `last`. Written directly (WAT text of this size is slow to encode in a debug build).
func manyFunctionsModule(count: Int) -> [UInt8] {
    func leb(_ value: Int) -> [UInt8] {
        var value = value, out: [UInt8] = []
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            out.append(byte)
        } while value != 0
        return out
    }
    func section(_ id: UInt8, _ content: [UInt8]) -> [UInt8] { [id] + leb(content.count) + content }
    var module: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]
    module += section(1, [0x01, 0x60, 0x00, 0x01, 0x7F])
    module += section(3, leb(count) + [UInt8](repeating: 0, count: count))
    module += section(7, [0x01, 0x04] + Array("last".utf8) + [0x00] + leb(count - 1))
    var code = leb(count)
    for index in 0..<count { code += [0x04, 0x00, 0x41, UInt8(index % 7), 0x0B] }
    module += section(10, code)
    return module
}
