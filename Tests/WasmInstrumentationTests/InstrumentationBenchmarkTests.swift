import Foundation
import Testing
import WasmInstrumentation
import WasmKit
import WasmParser

/// Measurements, not assertions about speed: run with `STATION_BENCH=1` (ideally `-c release`).
/// `STATION_BENCH_WASM=/path/module.wasm` adds a real module (rewrite time + eager validation);
/// `STATION_INSTR_DUMP=/dir` writes the rewritten modules there for an external validator.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["STATION_BENCH"] != nil), .serialized)
struct InstrumentationBenchmarkTests {
    static let environment = ProcessInfo.processInfo.environment

    static func bestOf(_ runs: Int, _ body: () throws -> Void) rethrows -> Duration {
        var best = Duration.seconds(1_000_000)
        for _ in 0..<runs {
            let start = ContinuousClock.now
            try body()
            best = min(best, ContinuousClock.now - start)
        }
        return best
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func dump(_ bytes: [UInt8], as name: String) throws {
        guard let directory = environment["STATION_INSTR_DUMP"] else { return }
        try Data(bytes).write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
    }

    /// Stub host functions for every function import, so a real module can be instantiated
    /// (and therefore validated by eager compilation) without its host.
    static func stubImports(for bytes: [UInt8], store: Store, into imports: inout Imports) throws {
        var parser = Parser(bytes: bytes, features: GuestHarness.features)
        var types: [SubType] = []
        while let payload = try parser.parseNext() {
            switch payload {
            case .typeSection(let groups): types = groups.flatMap(\.types)
            case .importSection(let entries):
                for entry in entries {
                    guard case .function(let typeIndex) = entry.descriptor, Int(typeIndex) < types.count,
                        case .function(let type) = types[Int(typeIndex)].body
                    else { continue }
                    let zeros = type.results.map { Value(zeroOf: $0) }
                    imports.define(module: entry.module, name: entry.name, Function(store: store, type: type) { _, _ in zeros })
                }
            default: break
            }
        }
    }

    @Test func tightLoopSlowdown() throws {
        let counting = try GuestHarness.wasm("""
            (module (func (export "count") (param $n i32) (result i32) (local $i i32)
              (loop $l
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if $l (i32.lt_s (local.get $i) (local.get $n))))
              (local.get $i)))
            """)
        let fibonacci = try GuestHarness.wasm("""
            (module (func (export "fib") (param $n i64) (result i64) (local $a i64) (local $b i64) (local $t i64)
              (local.set $b (i64.const 1))
              (block $done (loop $l
                (br_if $done (i64.eqz (local.get $n)))
                (local.set $t (i64.add (local.get $a) (local.get $b)))
                (local.set $a (local.get $b)) (local.set $b (local.get $t))
                (local.set $n (i64.sub (local.get $n) (i64.const 1)))
                (br $l)))
              (local.get $a)))
            """)
        for (name, wasm, argument) in [("count 50M", counting, Value.i32(50_000_000)), ("fib-iter 50M", fibonacci, .i64(50_000_000))] {
            let module = try LoopInstrumenter.instrument(wasm)
            try Self.dump(module.bytes, as: "\(name.prefix(3)).wasm")
            let host = CheckpointHost(nextBudget: 10_000)
            let plain = try GuestHarness.instantiate(wasm)
            let instrumented = try GuestHarness.instantiate(module.bytes, host: host)
            let function = name.hasPrefix("count") ? "count" : "fib"
            var plainResult: [Value] = [], instrumentedResult: [Value] = []
            let plainTime = try Self.bestOf(3) { plainResult = try plain.exports[function: function]!([argument]) }
            let instrumentedTime = try Self.bestOf(3) { instrumentedResult = try instrumented.exports[function: function]!([argument]) }
            #expect(plainResult == instrumentedResult)
            #expect(host.calls > 0)
            let ratio = Self.seconds(instrumentedTime) / Self.seconds(plainTime)
            print("BENCH \(name): plain \(plainTime), instrumented \(instrumentedTime), ratio \(String(format: "%.2f", ratio)), checkpoints \(host.calls)")
        }
    }

    /// The same counting loop with two hand-written checkpoint sequences, to compare the shipped
    /// two-`global.get` form with a variant that keeps the decremented value in a scratch local.
    @Test func checkpointSequenceVariants() throws {
        let variants: [(String, String)] = [
            ("global twice (shipped form)", """
                global.get $b i32.const 1 i32.sub global.set $b
                global.get $b i32.const 0 i32.le_s
                if call $cp global.set $b end
                """),
            ("local.tee scratch", """
                global.get $b i32.const 1 i32.sub local.tee $t global.set $b
                local.get $t i32.const 0 i32.le_s
                if call $cp global.set $b end
                """),
        ]
        for (name, sequence) in variants {
            let wasm = try GuestHarness.wasm("""
                (module
                  (import "station:sandbox" "checkpoint" (func $cp (result i32)))
                  (global $b (mut i32) (i32.const 10000))
                  (func (export "count") (param $n i32) (result i32) (local $i i32) (local $t i32)
                    (loop $l
                      \(sequence)
                      (local.set $i (i32.add (local.get $i) (i32.const 1)))
                      (br_if $l (i32.lt_s (local.get $i) (local.get $n))))
                    (local.get $i)))
                """)
            let host = CheckpointHost(nextBudget: 10_000)
            let instance = try GuestHarness.instantiate(wasm, host: host)
            var result: [Value] = []
            let time = try Self.bestOf(3) { result = try instance.exports[function: "count"]!([.i32(50_000_000)]) }
            #expect(result == [.i32(50_000_000)])
            print("BENCH sequence variant \(name): count 50M \(time), checkpoints \(host.calls)")
        }
    }

    @Test func rewriteTimeForARealModule() throws {
        let path = try #require(Self.environment["STATION_BENCH_WASM"], "set STATION_BENCH_WASM to a .wasm file")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var module: InstrumentedModule?
        let time = try Self.bestOf(5) { module = try LoopInstrumenter.instrument(bytes) }
        let result = try #require(module)
        print("BENCH rewrite \(path): \(bytes.count) -> \(result.bytes.count) bytes, \(result.loopCount) loops, best \(time)")
        try Self.dump(result.bytes, as: "real-module.wasm")
        // Both versions validate under WasmKit's eager compilation.
        for candidate in [bytes, result.bytes] {
            let engine = Engine(configuration: EngineConfiguration(compilationMode: .eager, features: GuestHarness.features))
            let store = Store(engine: engine)
            var imports = Imports()
            try Self.stubImports(for: candidate, store: store, into: &imports)
            let validation = try Self.bestOf(1) { _ = try parseWasm(bytes: candidate, features: GuestHarness.features).instantiate(store: store, imports: imports) }
            print("BENCH eager compile+instantiate \(candidate.count) bytes: \(validation)")
        }
    }

    @Test func rewriteTimeForManyFunctions() throws {
        let wasm = SyntheticModule.manyFunctions(count: 100_000, loopEvery: 2)
        var module: InstrumentedModule?
        let time = try Self.bestOf(3) { module = try LoopInstrumenter.instrument(wasm) }
        #expect(module?.loopCount == 50_000)
        print("BENCH rewrite 100000 functions (\(wasm.count) bytes): \(time)")
    }
}

extension Value {
    init(zeroOf type: ValueType) {
        switch type {
        case .i32: self = .i32(0)
        case .i64: self = .i64(0)
        case .f32: self = .f32(0)
        case .f64: self = .f64(0)
        default: self = .i32(0)
        }
    }
}
