import Foundation
import SandboxEngine
import StationTestSupport
import Testing
import WasmtimeBackend

/// Numbers for BENCHMARKS.md. Off by default (they take seconds and mean little in debug builds):
///
///     STATION_MEASURE=1 STATION_TARGETS=SandboxEngine,CWasmtime,WasmtimeBackend,WasmtimeBackendTests \
///       swift test -c release -Xswiftc -enable-testing --scratch-path .build-wt --filter MeasurementTests
///
/// Each test still checks that the work it timed produced the right result; nothing asserts on time.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["STATION_MEASURE"] == "1"))
struct MeasurementTests {
    static let hostCallLoop = """
        (module
          (import "host" "nop" (func $nop))
          (import "host" "add" (func $add (param i32 i32) (result i32)))
          (func (export "calls") (param i32)
            (loop $again
              call $nop
              local.get 0 i32.const 1 i32.sub local.tee 0
              br_if $again))
          (func (export "adds") (param i32) (result i32) (local i32)
            (loop $again
              local.get 1 local.get 0 call $add local.set 1
              local.get 0 i32.const 1 i32.sub local.tee 0
              br_if $again)
            local.get 1)
          (func (export "empty") (param i32)
            (loop $again
              local.get 0 i32.const 1 i32.sub local.tee 0
              br_if $again))
          (func $fib (export "fib") (param i32) (result i32)
            local.get 0 i32.const 2 i32.lt_u
            if (result i32) local.get 0
            else local.get 0 i32.const 1 i32.sub call $fib local.get 0 i32.const 2 i32.sub call $fib i32.add end))
        """

    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    @Test func hostCallOverhead() throws {
        let engine = try Support.engine()
        let count = 2_000_000
        let functions = [
            HostFunction(module: "host", name: "nop", parameters: [], results: []) { _, _ in [] },
            HostFunction(module: "host", name: "add", parameters: [.i32, .i32], results: [.i32]) { _, args in
                [.i32((args[0].i32 ?? 0) &+ (args[1].i32 ?? 0))]
            },
        ]
        let (nop, add, empty, fib) = try Support.onInstanceThread { () -> (Double, Double, Double, Double) in
            let instance = try Support.instantiate(Self.hostCallLoop, engine: engine, hostFunctions: functions)
            _ = try instance.call("calls", [.int32(1000)])
            let empty = try Self.seconds { _ = try instance.call("empty", [.int32(Int32(count))]) }
            let nop = try Self.seconds { _ = try instance.call("calls", [.int32(Int32(count))]) }
            var sum: [WasmValue] = []
            let add = try Self.seconds { sum = try instance.call("adds", [.int32(Int32(count))]) }
            // sum of 1...count, modulo 2^32
            let expected = UInt32(truncatingIfNeeded: UInt64(count) * UInt64(count + 1) / 2)
            #expect(sum == [.i32(expected)])
            var fibResult: [WasmValue] = []
            var fib = Double.infinity
            for _ in 0..<7 {
                fib = min(fib, try Self.seconds { fibResult = try instance.call("fib", [.int32(32)]) })
            }
            #expect(fibResult == [.int32(2_178_309)])
            return (nop, add, empty, fib)
        }
        print(String(format: "MEASURE wasmtime host call (no args): %.1f ns/call", (nop - empty) / Double(count) * 1e9))
        print(String(format: "MEASURE wasmtime host call (i32,i32)->i32: %.1f ns/call", (add - empty) / Double(count) * 1e9))
        print(String(format: "MEASURE wasmtime fib(32): %.3f s (best of 7)", fib))
    }

    /// A module of about 100 KB: many small functions doing arithmetic and memory traffic.
    static func largeModule(functions: Int) -> String {
        var text = "(module (memory (export \"memory\") 1)\n"
        for index in 0..<functions {
            text += """
                (func (export "f\(index)") (param i32 i32) (result i32) (local i32)
                  local.get 0 local.get 1 i32.mul i32.const \(index) i32.add local.set 2
                  local.get 2 i32.const 65532 i32.and local.get 2 i32.store
                  local.get 2 i32.const 65532 i32.and i32.load local.get 0 i32.xor
                  local.get 1 i32.const 3 i32.shl i32.add i32.const \(index * 7) i32.rotl)

                """
        }
        return text + ")"
    }

    @Test func compileColdAndCached() throws {
        let wasm = try Support.wasm(Self.largeModule(functions: 1700))
        let directory = try temporaryFolder("station-wt")
        defer { try? FileManager.default.removeItem(at: directory) }

        var noCache: [Double] = []
        var cold: [Double] = []
        var hits: [Double] = []
        for round in 0..<5 {
            let plain = try Support.engine()
            noCache.append(try Self.seconds { _ = try plain.compileModule(wasm) })
            let roundDirectory = directory.appendingPathComponent("\(round)")
            let first = try Support.engine(cache: roundDirectory)
            var origin: WasmtimeModule.Origin?
            cold.append(try Self.seconds { origin = try first.compileModule(wasm).origin })
            #expect(origin == .compiled)
            let second = try Support.engine(cache: roundDirectory)
            hits.append(try Self.seconds { origin = try second.compileModule(wasm).origin })
            #expect(origin == .cacheHit)
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] * 1000 }
        print(String(format: "MEASURE wasmtime compile %d-byte module: no cache %.1f ms, cache miss (compile+write) %.1f ms, cache hit %.2f ms (median of 5)",
                     wasm.count, median(noCache), median(cold), median(hits)))
    }

    /// The same host-call loop and fib(32) through wasmtime-py on the same library.
    @Test func wasmtimePyOnTheSameLibrary() throws {
        let library = try Support.library()
        let directory = try temporaryFolder("station-wt")
        defer { try? FileManager.default.removeItem(at: directory) }
        let wasmFile = directory.appendingPathComponent("bench.wasm")
        try Data(Support.wasm(Self.hostCallLoop)).write(to: wasmFile)
        let script = directory.appendingPathComponent("bench.py")
        try Data(Self.pythonHarness.utf8).write(to: script)

        // The checkout's venv (it holds wasmtime-py), else the system Python.
        let python = [try? testPython(), "/usr/bin/python3"].compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(python))
        process.arguments = [script.path, wasmFile.path, library.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(output.contains("fib=2178309"))
        print(output.split(separator: "\n").map { "MEASURE wasmtime-py \($0)" }.joined(separator: "\n"))
    }

    static let pythonHarness = #"""
        import hashlib, sys, time, wasmtime
        wasm_path, library_path = sys.argv[1], sys.argv[2]
        import os
        here = os.path.join(os.path.dirname(wasmtime.__file__), "linux-x86_64", "_libwasmtime.so")
        same = hashlib.sha256(open(here, "rb").read()).hexdigest() == hashlib.sha256(open(library_path, "rb").read()).hexdigest()
        print("same library file as station: %s" % same)
        config = wasmtime.Config()
        config.epoch_interruption = True
        config.cranelift_opt_level = "speed"
        engine = wasmtime.Engine(config)
        store = wasmtime.Store(engine)
        store.set_epoch_deadline(1 << 40)
        module = wasmtime.Module(engine, open(wasm_path, "rb").read())
        linker = wasmtime.Linker(engine)
        linker.define_func("host", "nop", wasmtime.FuncType([], []), lambda: None)
        linker.define_func("host", "add", wasmtime.FuncType([wasmtime.ValType.i32(), wasmtime.ValType.i32()], [wasmtime.ValType.i32()]), lambda a, b: (a + b) & 0xffffffff if (a + b) < 2**31 else ((a + b) & 0xffffffff) - 2**32)
        instance = linker.instantiate(store, module)
        exports = instance.exports(store)
        count = 200000
        def timed(f):
            start = time.perf_counter(); f(); return time.perf_counter() - start
        empty = timed(lambda: exports["empty"](store, count))
        nop = timed(lambda: exports["calls"](store, count))
        print("host call (no args): %.1f ns/call" % ((nop - empty) / count * 1e9))
        result = []
        fib = min(timed(lambda: result.append(exports["fib"](store, 32))) for _ in range(7))
        print("fib(32): %.3f s (best of 7) fib=%d" % (fib, result[0]))
        """#
}
