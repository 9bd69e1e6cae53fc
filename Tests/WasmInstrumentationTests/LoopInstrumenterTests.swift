import Testing
import WasmInstrumentation
import WasmKit

/// A WAT fixture, the export to call, and its arguments.
struct Fixture: CustomStringConvertible, Sendable {
    let name: String
    let wat: String
    let function: String
    let arguments: [Value]
    var description: String { name }
}

let semanticFixtures: [Fixture] = [
    Fixture(name: "counting loop", wat: """
        (module (func (export "count") (param $n i32) (result i32) (local $i i32)
          (loop $l
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_s (local.get $i) (local.get $n))))
          (local.get $i)))
        """, function: "count", arguments: [.i32(1000)]),
    Fixture(name: "nested loops", wat: """
        (module (func (export "triangle") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $sum i32)
          (block $done
            (loop $outer
              (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
              (local.set $j (i32.const 0))
              (block $inner_done
                (loop $inner
                  (br_if $inner_done (i32.ge_s (local.get $j) (local.get $i)))
                  (local.set $sum (i32.add (local.get $sum) (i32.mul (local.get $i) (local.get $j))))
                  (local.set $j (i32.add (local.get $j) (i32.const 1)))
                  (br $inner)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $outer)))
          (local.get $sum)))
        """, function: "triangle", arguments: [.i32(60)]),
    Fixture(name: "br_table state machine", wat: """
        (module (func (export "machine") (param $steps i32) (result i32) (local $state i32) (local $acc i32)
          (loop $run
            (block $s2 (block $s1 (block $s0
              (br_table $s0 $s1 $s2 (local.get $state)))
              (local.set $acc (i32.add (local.get $acc) (i32.const 1)))
              (local.set $state (i32.const 1)) (br $s2))
              (local.set $acc (i32.mul (local.get $acc) (i32.const 3)))
              (local.set $state (i32.const 2)) (br $s2))
            (if (i32.eq (local.get $state) (i32.const 2)) (then (local.set $state (i32.const 0))))
            (local.set $steps (i32.sub (local.get $steps) (i32.const 1)))
            (br_if $run (i32.gt_s (local.get $steps) (i32.const 0))))
          (local.get $acc)))
        """, function: "machine", arguments: [.i32(25)]),
    Fixture(name: "direct calls and recursion", wat: """
        (module
          (func $step (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
          (func $fib_rec (param $n i32) (result i32)
            (if (result i32) (i32.lt_s (local.get $n) (i32.const 2))
              (then (local.get $n))
              (else (call $step (call $fib_rec (i32.sub (local.get $n) (i32.const 1)))
                                (call $fib_rec (i32.sub (local.get $n) (i32.const 2)))))))
          (func (export "fib") (param $n i32) (result i32) (local $a i32) (local $b i32) (local $t i32)
            (local.set $b (i32.const 1))
            (block $done (loop $l
              (br_if $done (i32.eqz (local.get $n)))
              (local.set $t (call $step (local.get $a) (local.get $b)))
              (local.set $a (local.get $b)) (local.set $b (local.get $t))
              (local.set $n (i32.sub (local.get $n) (i32.const 1)))
              (br $l)))
            (i32.add (local.get $a) (call $fib_rec (i32.const 15)))))
        """, function: "fib", arguments: [.i32(30)]),
    Fixture(name: "call_indirect through active, passive and expression element segments", wat: """
        (module
          (type $unary (func (param i32) (result i32)))
          (table $t 8 funcref)
          (func $double (type $unary) (i32.mul (local.get 0) (i32.const 2)))
          (func $inc (type $unary) (i32.add (local.get 0) (i32.const 1)))
          (func $square (type $unary) (i32.mul (local.get 0) (local.get 0)))
          (func $negate (type $unary) (i32.sub (i32.const 0) (local.get 0)))
          (elem (i32.const 0) $double $inc)
          (elem $later func $square)
          (elem (table $t) (i32.const 4) funcref (ref.func $negate) (ref.null func) (ref.func $inc))
          (func (export "apply") (param $x i32) (result i32) (local $k i32)
            (table.init $t $later (i32.const 2) (i32.const 0) (i32.const 1))
            (loop $l
              (local.set $x (call_indirect (type $unary) (local.get $x) (local.get $k)))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (if (i32.eq (local.get $k) (i32.const 3)) (then (local.set $k (i32.const 4))))
              (br_if $l (i32.ne (local.get $k) (i32.const 5))))
            (call_indirect (type $unary) (local.get $x) (i32.const 6))))
        """, function: "apply", arguments: [.i32(5)]),
    Fixture(name: "ref.func in code and in a global initialiser", wat: """
        (module
          (type $nullary (func (result i32)))
          (table $t 2 funcref)
          (func $seven (result i32) (i32.const 7))
          (func $eleven (result i32) (i32.const 11))
          (global $g funcref (ref.func $eleven))
          (elem declare func $seven)
          (func (export "pick") (result i32) (local $i i32) (local $sum i32)
            (table.set $t (i32.const 0) (ref.func $seven))
            (table.set $t (i32.const 1) (global.get $g))
            (loop $l
              (local.set $sum (i32.add (local.get $sum) (call_indirect (type $nullary) (local.get $i))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_s (local.get $i) (i32.const 2))))
            (local.get $sum)))
        """, function: "pick", arguments: []),
    Fixture(name: "start function", wat: """
        (module
          (global $counter (mut i32) (i32.const 0))
          (func $init (local $i i32)
            (loop $l
              (global.set $counter (i32.add (global.get $counter) (local.get $i)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_s (local.get $i) (i32.const 10)))))
          (start $init)
          (func (export "read") (result i32) (global.get $counter)))
        """, function: "read", arguments: []),
    Fixture(name: "exports of several functions", wat: """
        (module
          (func $a (result i32) (i32.const 1))
          (func $b (result i32) (i32.const 2))
          (func $c (result i32) (local $i i32) (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_s (local.get $i) (i32.const 3)))) (local.get $i))
          (export "first" (func $a))
          (export "second" (func $b))
          (export "third" (func $c))
          (func (export "all") (result i32)
            (i32.add (i32.mul (call $a) (i32.const 100)) (i32.add (i32.mul (call $b) (i32.const 10)) (call $c)))))
        """, function: "all", arguments: []),
    Fixture(name: "tail calls without any loop", wat: """
        (module
          (func $even (export "even") (param $n i32) (result i32)
            (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 1))
              (else (return_call $odd (i32.sub (local.get $n) (i32.const 1))))))
          (func $odd (param $n i32) (result i32)
            (if (result i32) (i32.eqz (local.get $n)) (then (i32.const 0))
              (else (return_call $even (i32.sub (local.get $n) (i32.const 1)))))))
        """, function: "even", arguments: [.i32(1001)]),
    Fixture(name: "multi-value loop and block", wat: """
        (module (func (export "pairs") (param $n i32) (result i32)
          (i32.const 0) (i32.const 1)
          (loop $l (param i32 i32) (result i32 i32)
            (block (param i32 i32) (result i32 i32)
              (local.set $n (i32.sub (local.get $n) (i32.const 1))))
            (call $swap_add)
            (br_if $l (i32.gt_s (local.get $n) (i32.const 0))))
          (i32.add))
          (func $swap_add (param i32 i32) (result i32 i32) (local.get 1) (i32.add (local.get 0) (local.get 1))))
        """, function: "pairs", arguments: [.i32(20)]),
    Fixture(name: "loops in unreachable code", wat: """
        (module (func (export "dead") (param $x i32) (result i32)
          (block $b
            (br $b)
            (loop $never (br $never)))
          (if (i32.eqz (local.get $x)) (then (unreachable) (loop $also_never (br $also_never))))
          (return (i32.add (local.get $x) (i32.const 1)))
          (loop $after_return (result i32) (br $after_return))))
        """, function: "dead", arguments: [.i32(41)]),
]

@Suite struct LoopInstrumenterTests {
    @Test(arguments: semanticFixtures)
    func instrumentedModuleComputesTheSameResult(_ fixture: Fixture) throws {
        let original = try GuestHarness.wasm(fixture.wat)
        let outcome = try GuestHarness.compare(original, function: fixture.function, fixture.arguments)
        #expect(outcome.module.instrumented)
        #expect(outcome.module.bytes != original)
        #expect(outcome.instrumented == outcome.original)
    }

    @Test func moduleWithImportsAndGlobalsKeepsThemWorking() throws {
        let original = try GuestHarness.wasm("""
            (module
              (import "env" "offset" (global $offset i32))
              (import "env" "twice" (func $twice (param i32) (result i32)))
              (global $scale (mut i32) (i32.const 3))
              (global $base i32 (global.get $offset))
              (func (export "run") (param $n i32) (result i32) (local $acc i32)
                (loop $l
                  (local.set $acc (i32.add (local.get $acc) (call $twice (global.get $scale))))
                  (global.set $scale (i32.add (global.get $scale) (i32.const 1)))
                  (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                  (br_if $l (i32.gt_s (local.get $n) (i32.const 0))))
                (i32.add (local.get $acc) (global.get $base))))
            """)
        let defineEnv: (Store, inout Imports) -> Void = { store, imports in
            imports.define(module: "env", name: "offset", try! Global(store: store, type: GlobalType(mutability: .constant, valueType: .i32), value: .i32(1000)))
            imports.define(module: "env", name: "twice", Function(store: store, parameters: [.i32], results: [.i32]) { _, args in
                guard case .i32(let value) = args.first else { return [.i32(0)] }
                return [.i32(value &* 2)]
            })
        }
        let outcome = try GuestHarness.compare(original, function: "run", [.i32(12)], extraImports: defineEnv)
        #expect(outcome.instrumented == outcome.original)
        #expect(outcome.original == [.i32(1000 + 2 * (3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11 + 12 + 13 + 14))])
    }

    @Test func checkpointRunsOncePerBudgetOfLoopIterations() throws {
        let original = try GuestHarness.wasm(semanticFixtures[0].wat)
        for (iterations, budget) in [(1000, 10), (1000, 7), (5, 10), (10_000, 1)] as [(UInt32, Int32)] {
            let outcome = try GuestHarness.compare(original, function: "count", [.i32(iterations)], budget: budget)
            #expect(outcome.instrumented == [.i32(iterations)])
            #expect(outcome.host.calls == Int(iterations) / Int(budget), "iterations \(iterations) budget \(budget)")
            #expect(outcome.module.loopCount == 1)
        }
    }

    @Test func nestedLoopCheckpointCountFollowsHeaderExecutions() throws {
        let original = try GuestHarness.wasm(semanticFixtures[1].wat)
        let n = 60
        // Outer header runs n + 1 times; inner header runs i + 1 times for each i < n.
        let headerExecutions = (n + 1) + (0..<n).reduce(0) { $0 + $1 + 1 }
        let outcome = try GuestHarness.compare(original, function: "triangle", [.i32(UInt32(n))], budget: 4)
        #expect(outcome.module.loopCount == 2)
        #expect(outcome.host.calls == headerExecutions / 4)
    }

    @Test func tailCallsAreCheckedAtFunctionEntry() throws {
        let original = try GuestHarness.wasm(semanticFixtures[8].wat)
        let outcome = try GuestHarness.compare(original, function: "even", [.i32(1000)], budget: 10)
        #expect(outcome.module.instrumented)
        #expect(outcome.module.loopCount == 0)
        // 1001 function entries (even(1000) ... even(0)).
        #expect(outcome.host.calls == 1001 / 10)
        #expect(outcome.instrumented == [.i32(1)])
    }

    @Test func infiniteLoopEndsWhenTheCheckpointThrows() throws {
        let original = try GuestHarness.wasm("""
            (module (func (export "spin") (loop $forever (br $forever))))
            """)
        let module = try LoopInstrumenter.instrument(original, initialBudget: 1000)
        let host = CheckpointHost(nextBudget: 1000, failOnCall: 5)
        #expect(throws: (any Error).self) {
            _ = try GuestHarness.run(module.bytes, function: "spin", host: host)
        }
        #expect(host.calls == 5)
    }

    @Test func guestCannotCatchTheCheckpointError() throws {
        // If the host error became a Wasm exception, catch_all would swallow it, the outer loop
        // would give up after three rounds and the call would return normally.
        let original = try GuestHarness.wasm("""
            (module (func (export "spin") (result i32) (local $rounds i32)
              (loop $outer
                (block $caught
                  (try_table (catch_all $caught)
                    (loop $forever (br $forever))))
                (local.set $rounds (i32.add (local.get $rounds) (i32.const 1)))
                (br_if $outer (i32.lt_s (local.get $rounds) (i32.const 3))))
              (local.get $rounds)))
            """)
        let module = try LoopInstrumenter.instrument(original, initialBudget: 100)
        let host = CheckpointHost(nextBudget: 100, failOnCall: 2)
        #expect(throws: DeadlineExceeded.self) {
            _ = try GuestHarness.run(module.bytes, function: "spin", host: host)
        }
        #expect(host.calls == 2)
    }

    @Test func infiniteTailCallRecursionEndsWhenTheCheckpointThrows() throws {
        let original = try GuestHarness.wasm("""
            (module (func $again (export "again") (return_call $again)))
            """)
        let module = try LoopInstrumenter.instrument(original, initialBudget: 50)
        let host = CheckpointHost(nextBudget: 50, failOnCall: 3)
        #expect(throws: (any Error).self) {
            _ = try GuestHarness.run(module.bytes, function: "again", host: host)
        }
        #expect(host.calls == 3)
    }

    @Test func moduleWithoutLoopsIsReturnedUnchanged() throws {
        let original = try GuestHarness.wasm("""
            (module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
            """)
        let module = try LoopInstrumenter.instrument(original)
        #expect(!module.instrumented)
        #expect(module.loopCount == 0)
        #expect(module.bytes == original)
    }

    @Test func moduleWithoutTypeImportOrGlobalSectionsGetsThemCreated() throws {
        // Hand-assembled: only a type-less... every function needs a type, so use a module whose
        // only sections are type, function, export and code; import and global must be created.
        let original = try GuestHarness.wasm("""
            (module (func (export "five") (result i32) (local $i i32)
              (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_s (local.get $i) (i32.const 5))))
              (local.get $i)))
            """)
        let outcome = try GuestHarness.compare(original, function: "five", budget: 2)
        #expect(outcome.instrumented == [.i32(5)])
        #expect(outcome.host.calls == 2)
    }

    @Test func initialBudgetIsTheFirstCheckpointInterval() throws {
        let original = try GuestHarness.wasm(semanticFixtures[0].wat)
        let module = try LoopInstrumenter.instrument(original, initialBudget: 100)
        // The host returns a smaller budget, so after the first 100 iterations it runs every 10.
        let host = CheckpointHost(nextBudget: 10)
        let result = try GuestHarness.run(module.bytes, function: "count", [.i32(300)], host: host)
        #expect(result == [.i32(300)])
        #expect(host.calls == 1 + 200 / 10)
    }

    @Test func manyTinyFunctionsAreRenumberedCorrectly() throws {
        let count = 100_000
        let original = SyntheticModule.manyFunctions(count: count, loopEvery: 2)
        let module = try LoopInstrumenter.instrument(original, initialBudget: 1)
        #expect(module.loopCount == count / 2)
        let host = CheckpointHost(nextBudget: 1)
        let instance = try GuestHarness.instantiate(module.bytes, host: host)
        // "last" calls function 2 (a loop) and function count - 1.
        #expect(try instance.exports[function: "last"]?([]) == [.i32(UInt32(2 + count - 1))])
        #expect(host.calls == 1)
    }
}
