import Foundation
import SandboxEngine
import Testing
import WasmtimeBackend

@Suite(.serialized) struct WasmtimeInstanceTests {
    static let arithmetic = """
        (module
          (func (export "add32") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
          (func (export "add64") (param i64 i64) (result i64) local.get 0 local.get 1 i64.add)
          (func (export "mul32f") (param f32 f32) (result f32) local.get 0 local.get 1 f32.mul)
          (func (export "div64f") (param f64 f64) (result f64) local.get 0 local.get 1 f64.div)
          (func (export "pair") (result i32 i64) i32.const 7 i64.const -9)
          (global (export "g") i32 (i32.const 1))
        )
        """

    @Test func callsExportsWithEveryNumberType() throws {
        let engine = try Support.engine()
        try Support.onInstanceThread {
            let instance = try Support.instantiate(Self.arithmetic, engine: engine)
            #expect(try instance.call("add32", [.int32(-5), .int32(3)]) == [.int32(-2)])
            #expect(try instance.call("add64", [.int64(1 << 40), .int64(-1)]) == [.int64((1 << 40) - 1)])
            #expect(try instance.call("mul32f", [.float32(1.5), .float32(-4)]) == [.float32(-6)])
            #expect(try instance.call("div64f", [.float64(1), .float64(8)]) == [.float64(0.125)])
            #expect(try instance.call("pair", []) == [.int32(7), .int64(-9)])
            #expect(instance.exportedFunction("add64") == FunctionSignature(parameters: [.i64, .i64], results: [.i64]))
            #expect(instance.exportedFunction("g") == nil)
            #expect(instance.exportedFunction("nothing") == nil)
            #expect(instance.memorySize == 0)
            #expect(instance.remainingFuel == nil)
        }
    }

    @Test func floatBitPatternsSurvive() throws {
        let engine = try Support.engine()
        try Support.onInstanceThread {
            let instance = try Support.instantiate(
                #"(module (func (export "id") (param f32) (result f32) local.get 0))"#, engine: engine)
            let quietNaNWithPayload: UInt32 = 0x7fc0_1234
            #expect(try instance.call("id", [.f32(quietNaNWithPayload)]) == [.f32(quietNaNWithPayload)])
        }
    }

    @Test func wrongCallsAreRefused() throws {
        let engine = try Support.engine()
        try Support.onInstanceThread {
            let instance = try Support.instantiate(Self.arithmetic, engine: engine)
            let missing = Support.error { _ = try instance.call("nope", []) }
            guard case .missingExport("nope")? = missing as? SandboxError else {
                Issue.record("expected missingExport, got \(String(describing: missing))")
                return
            }
            let wrongTypes = Support.error { _ = try instance.call("add32", [.int64(1), .int64(2)]) }
            guard case .runtime? = wrongTypes as? SandboxError else {
                Issue.record("expected a runtime error, got \(String(describing: wrongTypes))")
                return
            }
        }
    }

    static let trapping = """
        (module
          (type $v (func))
          (type $i (func (result i32)))
          (memory 1)
          (table 2 funcref)
          (func $nop)
          (elem (i32.const 0) $nop)
          (func $boom (export "unreachable") unreachable)
          (func (export "oob") (result i32) i32.const 70000 i32.load)
          (func (export "div0") (result i32) i32.const 1 i32.const 0 i32.div_s)
          (func (export "overflow") (result i32) i32.const 0x80000000 i32.const -1 i32.div_s)
          (func (export "conversion") (result i32) f32.const nan i32.trunc_f32_s)
          (func (export "nullCall") i32.const 1 call_indirect (type $v))
          (func (export "signature") (result i32) i32.const 0 call_indirect (type $i))
          (func (export "tableOOB") i32.const 5 call_indirect (type $v))
        )
        """

    @Test(arguments: [
        ("unreachable", TrapKind.unreachable),
        ("oob", .memoryOutOfBounds),
        ("div0", .integerDivisionByZero),
        ("overflow", .integerOverflow),
        ("conversion", .invalidConversion),
        ("nullCall", .indirectCallToNull),
        ("signature", .indirectCallTypeMismatch),
        ("tableOOB", .tableOutOfBounds),
    ])
    func trapsAreNamed(export: String, kind: TrapKind) throws {
        let engine = try Support.engine()
        try Support.onInstanceThread {
            let instance = try Support.instantiate(Self.trapping, engine: engine)
            let error = Support.error { _ = try instance.call(export, []) }
            guard case .trap(let trap)? = error as? SandboxError else {
                Issue.record("\(export): expected a trap, got \(String(describing: error))")
                return
            }
            #expect(trap.kind == kind, "\(export): \(trap)")
            #expect(trap.function != nil, "\(export): the trapping function should be named")
        }
    }

    @Test func trapNamesTheFunctionFromTheNameSection() throws {
        let engine = try Support.engine()
        try Support.onInstanceThread {
            let instance = try Support.instantiate(Self.trapping, engine: engine)
            let error = Support.error { _ = try instance.call("unreachable", []) }
            guard case .trap(let trap)? = error as? SandboxError else {
                Issue.record("expected a trap, got \(String(describing: error))")
                return
            }
            // WasmKit's wat2wasm writes a name section for `$boom`; Wasmtime falls back to the index.
            #expect(trap.function == "boom" || trap.function == "<wasm function 1>", "\(trap)")
        }
    }

    @Test func deepRecursionHitsTheStackLimit() throws {
        let engine = try Support.engine(stack: 256 << 10)
        try Support.onInstanceThread {
            let instance = try Support.instantiate(
                #"(module (func $r (export "recurse") (param i64) local.get 0 i64.const 1 i64.add call $r))"#, engine: engine)
            let error = Support.error { _ = try instance.call("recurse", [.int64(0)]) }
            guard case .limitExceeded(.stack, let detail)? = error as? SandboxError else {
                Issue.record("expected a stack limit, got \(String(describing: error))")
                return
            }
            #expect(detail.contains("256 KiB"))
        }
    }

    static let spin = #"(module (func (export "spin") (loop br 0)) (func (export "nothing")))"#

    @Test func fuelRunsOut() throws {
        let engine = try Support.engine(fuel: true)
        try Support.onInstanceThread {
            let instance = try Support.instantiate(Self.spin, engine: engine, limits: Limits(fuel: 100_000))
            let before = try #require(instance.remainingFuel)
            #expect(before == 100_000)
            _ = try instance.call("nothing", [])
            let error = Support.error { _ = try instance.call("spin", []) }
            guard case .limitExceeded(.fuel, let detail)? = error as? SandboxError else {
                Issue.record("expected a fuel limit, got \(String(describing: error))")
                return
            }
            #expect(detail.contains("100000"))
            #expect(instance.remainingFuel == 0)
        }
    }

    @Test func fuelLimitNeedsAMeteringEngine() throws {
        let engine = try Support.engine(fuel: false)
        try Support.onInstanceThread {
            let error = Support.error { _ = try Support.instantiate(Self.spin, engine: engine, limits: Limits(fuel: 10)) }
            #expect(error is SandboxError)
        }
    }

    @Test func infiniteLoopStopsAtTheTimeout() throws {
        let engine = try Support.engine()
        let governor = ExecutionGovernor(timeout: .milliseconds(100))
        let overshoot = try Support.onInstanceThread { () -> Duration in
            let instance = try Support.instantiate(Self.spin, engine: engine, governor: governor)
            let error = Support.error { _ = try instance.call("spin", []) }
            guard case .limitExceeded(.timeout, _)? = error as? SandboxError else {
                Issue.record("expected a timeout, got \(String(describing: error))")
                return .zero
            }
            return ContinuousClock.now - (governor.deadline ?? .now)
        }
        #expect(governor.checkpointCount > 0)
        print("wasmtime: spinning loop stopped \(overshoot) after its 100 ms deadline")
    }

    @Test func requestStopFromAnotherThreadEndsTheCall() throws {
        let engine = try Support.engine()
        let governor = ExecutionGovernor()
        let stopper = Thread {
            Thread.sleep(forTimeInterval: 0.05)
            governor.requestStop(.runtime("stopped by the test"))
        }
        stopper.start()
        try Support.onInstanceThread {
            let instance = try Support.instantiate(Self.spin, engine: engine, governor: governor)
            let error = Support.error { _ = try instance.call("spin", []) }
            guard case .runtime(let message)? = error as? SandboxError else {
                Issue.record("expected the stop reason, got \(String(describing: error))")
                return
            }
            #expect(message == "stopped by the test")
        }
    }

    /// The spinning guest is throttled to its 25% share and keeps running: the test stops it as
    /// soon as the governor reports throttled time (no fixed window, so a loaded machine that
    /// gives the guest little CPU only makes the test slower, never wrong).
    @Test func cpuShareThrottlesWithoutKilling() throws {
        let engine = try Support.engine()
        let governor = ExecutionGovernor(timeout: .seconds(120), cpuShare: 0.25)
        let stopper = Thread {
            let giveUp = Date().addingTimeInterval(120)
            while governor.throttledTime == .zero, Date() < giveUp { Thread.sleep(forTimeInterval: 0.01) }
            governor.requestStop(.runtime("throttled, still running"))
        }
        stopper.start()
        try Support.onInstanceThread {
            let instance = try Support.instantiate(Self.spin, engine: engine, governor: governor)
            let error = Support.error { _ = try instance.call("spin", []) }
            guard case .runtime(let message)? = error as? SandboxError else {
                Issue.record("expected the test's stop after throttling, got \(String(describing: error))")
                return
            }
            #expect(message == "throttled, still running")
        }
        #expect(governor.throttledTime > .zero)
    }

    static let growable = """
        (module
          (memory (export "memory") 1)
          (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))
        """

    @Test func memoryGrowStopsAtTheLimit() throws {
        let engine = try Support.engine()
        try Support.onInstanceThread {
            let instance = try Support.instantiate(Self.growable, engine: engine, limits: Limits(memoryBytes: 4 * 65536))
            #expect(try instance.call("grow", [.int32(2)]) == [.int32(1)])
            #expect(try instance.call("grow", [.int32(10)]) == [.int32(-1)])
            #expect(try instance.call("grow", [.int32(1)]) == [.int32(3)])
            #expect(try instance.call("grow", [.int32(1)]) == [.int32(-1)])
            #expect(instance.memorySize == 4 * 65536)
        }
    }

    @Test func initialMemoryLargerThanTheLimitIsRefused() throws {
        let engine = try Support.engine()
        try Support.onInstanceThread {
            let error = Support.error {
                _ = try Support.instantiate("(module (memory 100))", engine: engine, limits: Limits(memoryBytes: 1 << 20))
            }
            guard case .limitExceeded(.memory, let detail)? = error as? SandboxError else {
                Issue.record("expected a memory limit, got \(String(describing: error))")
                return
            }
            #expect(detail.contains("100 pages"))
        }
    }

    @Test func tableGrowthBombIsContained() throws {
        let engine = try Support.engine()
        let limits = Limits(tableElements: 1000)
        try Support.onInstanceThread {
            let instance = try Support.instantiate("""
                (module
                  (table 1 funcref)
                  (func (export "grow") (param i32) (result i32) ref.null func local.get 0 table.grow 0)
                  (func (export "bomb") (result i32)
                    (loop $again
                      ref.null func i32.const 100 table.grow 0
                      i32.const -1 i32.ne
                      br_if $again)
                    table.size 0))
                """, engine: engine, limits: limits)
            let size = try instance.call("bomb", [])
            #expect(size == [.int32(901)])
            #expect(try instance.call("grow", [.int32(1_000_000)]) == [.int32(-1)])
            let tooBig = Support.error { _ = try Support.instantiate("(module (table 5000 funcref))", engine: engine, limits: limits) }
            guard case .limitExceeded(.table, _)? = tooBig as? SandboxError else {
                Issue.record("expected a table limit, got \(String(describing: tooBig))")
                return
            }
        }
    }

    @Test func outOfBoundsAtTheMemoryLimitNotesTheDenial() throws {
        let engine = try Support.engine()
        let governor = ExecutionGovernor()
        try Support.onInstanceThread {
            let instance = try Support.instantiate("""
                (module (memory (export "memory") 1)
                  (func (export "fill")
                    (loop $more
                      i32.const 1 memory.grow
                      i32.const -1 i32.ne
                      br_if $more)
                    memory.size i32.const 65536 i32.mul i32.load drop))
                """, engine: engine, limits: Limits(memoryBytes: 8 * 65536), governor: governor)
            let error = Support.error { _ = try instance.call("fill", []) }
            guard case .trap(let trap)? = error as? SandboxError else {
                Issue.record("expected a trap, got \(String(describing: error))")
                return
            }
            #expect(trap.kind == .memoryOutOfBounds)
        }
        #expect(governor.lastDenial?.kind == .memory)
    }

    /// A trap in the start function must not touch the never-created instance (Wasmtime aborts the
    /// process on a stale store id), even when reporting looks at memory.
    @Test func trapInTheStartFunctionIsReported() throws {
        let engine = try Support.engine()
        try Support.onInstanceThread {
            let error = Support.error {
                _ = try Support.instantiate(
                    #"(module (memory (export "memory") 1) (func $s i32.const 70000 i32.load drop) (start $s))"#,
                    engine: engine, limits: Limits(memoryBytes: 65536))
            }
            guard case .trap(let trap)? = error as? SandboxError else {
                Issue.record("expected a trap, got \(String(describing: error))")
                return
            }
            #expect(trap.kind == .memoryOutOfBounds)
        }
    }

    @Test func unknownImportIsMissingImport() throws {
        let engine = try Support.engine()
        try Support.onInstanceThread {
            let error = Support.error {
                _ = try Support.instantiate(#"(module (import "env" "absent" (func)))"#, engine: engine)
            }
            guard case .missingImport(let module, let name, _)? = error as? SandboxError else {
                Issue.record("expected missingImport, got \(String(describing: error))")
                return
            }
            #expect(module == "env" && name == "absent")
        }
    }

    @Test func importOfTheWrongTypeIsALinkError() throws {
        let engine = try Support.engine()
        let provided = HostFunction(module: "env", name: "f", parameters: [.i64], results: []) { _, _ in [] }
        try Support.onInstanceThread {
            let error = Support.error {
                _ = try Support.instantiate(
                    #"(module (import "env" "f" (func (param i32))))"#, engine: engine, hostFunctions: [provided])
            }
            guard case .link(let message)? = error as? SandboxError else {
                Issue.record("expected a link error, got \(String(describing: error))")
                return
            }
            #expect(message.contains("env.f"))
        }
    }

    @Test func threadWithTooLittleStackIsRefused() throws {
        let engine = try Support.engine(stack: 4 << 20)
        let box = ErrorBox()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.error = Support.error { _ = try Support.instantiate(Self.spin, engine: engine) }
            done.signal()
        }
        thread.stackSize = 1 << 20
        thread.start()
        done.wait()
        guard case .runtime(let message)? = box.error as? SandboxError else {
            Issue.record("expected a runtime error, got \(String(describing: box.error))")
            return
        }
        #expect(message.contains("native stack"))
    }
}

private final class ErrorBox: @unchecked Sendable {
    var error: (any Error)?
}
