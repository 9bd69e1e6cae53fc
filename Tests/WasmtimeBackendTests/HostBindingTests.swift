import Foundation
import SandboxEngine
import StationTestSupport
import Testing
import WasmtimeBackend

private struct MarkerError: Error, Equatable {
    let code: Int
}

@Suite(.serialized) struct HostBindingTests {
    static let guest = """
        (module
          (import "host" "add" (func $add (param i32 i32) (result i32)))
          (import "host" "log" (func $log (param i32 i32)))
          (import "host" "fill" (func $fill (param i32 i32) (result i64)))
          (import "host" "fail" (func $fail))
          (import "host" "wrong" (func $wrong (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 16) "hello from wasm")
          (func (export "callAdd") (param i32 i32) (result i32) local.get 0 local.get 1 call $add)
          (func (export "logHello") i32.const 16 i32.const 15 call $log)
          (func (export "logOutside") i32.const 65530 i32.const 100 call $log)
          (func (export "fillAndRead") (result i32) i32.const 100 i32.const 4 call $fill drop i32.const 100 i32.load)
          (func (export "callFail") call $fail)
          (func (export "callWrong") (result i32) call $wrong)
        )
        """

    static func hostFunctions(log: Recorder<String>) -> [HostFunction] {
        [
            HostFunction(module: "host", name: "add", parameters: [.i32, .i32], results: [.i32]) { _, args in
                guard let a = args[0].i32, let b = args[1].i32 else { throw MarkerError(code: -1) }
                return [.i32(a &+ b &* 10)]
            },
            HostFunction(module: "host", name: "log", parameters: [.i32, .i32], results: []) { call, args in
                let text = try call.withMemory { memory in
                    try memory.string(at: args[0].i32 ?? 0, count: args[1].i32 ?? 0)
                }
                log.append(text)
                return []
            },
            HostFunction(module: "host", name: "fill", parameters: [.i32, .i32], results: [.i64]) { call, args in
                let size = try call.withMemory { memory in
                    try memory.write([1, 2, 3, 4], at: args[0].i32 ?? 0)
                    return memory.size
                }
                return [.i64(UInt64(size))]
            },
            HostFunction(module: "host", name: "fail", parameters: [], results: []) { _, _ in
                throw MarkerError(code: 42)
            },
            HostFunction(module: "host", name: "wrong", parameters: [], results: [.i32]) { _, _ in
                [.i64(1)]
            },
        ]
    }

    @Test func hostFunctionsAreCalledBothWays() throws {
        let engine = try Support.engine()
        let log = Recorder<String>()
        try Support.onInstanceThread {
            let instance = try Support.instantiate(Self.guest, engine: engine, hostFunctions: Self.hostFunctions(log: log))
            #expect(try instance.call("callAdd", [.int32(2), .int32(3)]) == [.int32(32)])
            _ = try instance.call("logHello", [])
        }
        #expect(log.all == ["hello from wasm"])
    }

    @Test func hostFunctionsWriteGuestMemory() throws {
        let engine = try Support.engine()
        try Support.onInstanceThread {
            let instance = try Support.instantiate(Self.guest, engine: engine, hostFunctions: Self.hostFunctions(log: Recorder()))
            #expect(try instance.call("fillAndRead", []) == [.i32(0x0403_0201)])
        }
    }

    @Test func hostErrorComesBackUnchanged() throws {
        let engine = try Support.engine()
        try Support.onInstanceThread {
            let instance = try Support.instantiate(Self.guest, engine: engine, hostFunctions: Self.hostFunctions(log: Recorder()))
            let error = Support.error { _ = try instance.call("callFail", []) }
            #expect(error as? MarkerError == MarkerError(code: 42))
            // The instance stays usable, and the old error does not leak into the next call.
            #expect(try instance.call("callAdd", [.int32(1), .int32(1)]) == [.int32(11)])
        }
    }

    @Test func outOfBoundsGuestBufferIsTheMemoryError() throws {
        let engine = try Support.engine()
        try Support.onInstanceThread {
            let instance = try Support.instantiate(Self.guest, engine: engine, hostFunctions: Self.hostFunctions(log: Recorder()))
            let error = Support.error { _ = try instance.call("logOutside", []) }
            guard case .outOfBounds(let address, let length, let size)? = error as? GuestMemoryError else {
                Issue.record("expected outOfBounds, got \(String(describing: error))")
                return
            }
            #expect(address == 65530 && length == 100 && size == 65536)
        }
    }

    @Test func wrongResultTypesFromTheHostAreReported() throws {
        let engine = try Support.engine()
        try Support.onInstanceThread {
            let instance = try Support.instantiate(Self.guest, engine: engine, hostFunctions: Self.hostFunctions(log: Recorder()))
            let error = Support.error { _ = try instance.call("callWrong", []) }
            guard case .runtime(let message)? = error as? SandboxError else {
                Issue.record("expected a runtime error, got \(String(describing: error))")
                return
            }
            #expect(message.contains("host.wrong"))
        }
    }

    @Test func guestWithoutMemoryGetsNoMemory() throws {
        let engine = try Support.engine()
        let probe = HostFunction(module: "host", name: "probe", parameters: [], results: []) { call, _ in
            try call.withMemory { _ in () }
            return []
        }
        try Support.onInstanceThread {
            let instance = try Support.instantiate(
                #"(module (import "host" "probe" (func $p)) (func (export "run") call $p))"#, engine: engine, hostFunctions: [probe])
            let error = Support.error { _ = try instance.call("run", []) }
            #expect(error as? GuestMemoryError == .noMemory)
        }
    }

    @Test func errorThrownFromTheStartFunctionComesOutOfInstantiate() throws {
        let engine = try Support.engine()
        let exit = HostFunction(module: "host", name: "exit", parameters: [], results: []) { _, _ in
            throw MarkerError(code: 7)
        }
        try Support.onInstanceThread {
            let error = Support.error {
                _ = try Support.instantiate(
                    #"(module (import "host" "exit" (func $e)) (func $s call $e) (start $s))"#, engine: engine, hostFunctions: [exit])
            }
            #expect(error as? MarkerError == MarkerError(code: 7))
        }
    }

    @Test func floatsAndWideIntegersCrossTheBoundaryExactly() throws {
        let engine = try Support.engine()
        let seen = Recorder<[WasmValue]>()
        let mix = HostFunction(module: "host", name: "mix", parameters: [.f64, .f32, .i64], results: [.f64, .i64, .f32]) { _, args in
            seen.append(args)
            guard case .f64(let d) = args[0], case .f32(let f) = args[1], case .i64(let i) = args[2] else { return [] }
            return [.float64(Double(bitPattern: d) * 2), .i64(i &+ 1), .f32(f)]
        }
        try Support.onInstanceThread {
            let instance = try Support.instantiate("""
                (module (import "host" "mix" (func $mix (param f64 f32 i64) (result f64 i64 f32)))
                  (func (export "run") (param f64 f32 i64) (result f64 i64 f32)
                    local.get 0 local.get 1 local.get 2 call $mix))
                """, engine: engine, hostFunctions: [mix])
            let nanPayload: UInt32 = 0x7fc0_0abc
            let results = try instance.call("run", [.float64(1.25), .f32(nanPayload), .int64(-2)])
            #expect(results == [.float64(2.5), .int64(-1), .f32(nanPayload)])
        }
        #expect(seen.all == [[.float64(1.25), .f32(0x7fc0_0abc), .int64(-2)]])
    }

    @Test func manyHostCallsFromALoop() throws {
        let engine = try Support.engine()
        let counter = Recorder<Int>()
        let tick = HostFunction(module: "host", name: "tick", parameters: [], results: []) { _, _ in
            counter.append(1)
            return []
        }
        try Support.onInstanceThread {
            let instance = try Support.instantiate("""
                (module (import "host" "tick" (func $tick))
                  (func (export "run") (param i32)
                    (loop $again
                      call $tick
                      local.get 0 i32.const 1 i32.sub local.tee 0
                      br_if $again)))
                """, engine: engine, hostFunctions: [tick])
            _ = try instance.call("run", [.int32(1000)])
        }
        #expect(counter.all.count == 1000)
    }
}
