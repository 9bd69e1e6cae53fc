import Testing
import WasmInstrumentation

/// Garbage, truncated and hostile modules must throw a readable error, never crash.
@Suite struct MalformedInputTests {
    static let loopModule: [UInt8] = {
        (try? GuestHarness.wasm("""
            (module
              (global $g (mut i32) (i32.const 0))
              (table 2 funcref)
              (func $f (export "f") (param i32) (result i32) (loop $l (br_if $l (local.get 0))) (local.get 0))
              (elem (i32.const 0) $f)
              (start $s)
              (func $s (global.set $g (call $f (i32.const 0)))))
            """, names: true)) ?? []
    }()

    @Test func fixtureIsValid() throws {
        #expect(!Self.loopModule.isEmpty)
        #expect(try LoopInstrumenter.instrument(Self.loopModule).instrumented)
    }

    @Test func garbageThrows() {
        for garbage: [UInt8] in [[], [0x00], Array("hello world".utf8), [0x00, 0x61, 0x73, 0x6D, 0x02, 0, 0, 0]] {
            #expect(throws: InstrumentationError.self) { try LoopInstrumenter.instrument(garbage) }
        }
    }

    @Test func everyTruncationThrowsWithoutCrashing() {
        let module = Self.loopModule
        for length in 0..<module.count {
            let truncated = Array(module[0..<length])
            // A cut exactly between two sections leaves a shorter but well-formed module.
            if let result = try? LoopInstrumenter.instrument(truncated) {
                #expect(result.bytes.count > 0, "length \(length)")
            }
        }
        #expect(throws: InstrumentationError.self) { try LoopInstrumenter.instrument(Array(module.dropLast())) }
    }

    @Test func everySingleByteCorruptionIsHandled() {
        let module = Self.loopModule
        for index in 8..<module.count {
            for replacement: UInt8 in [0x00, 0x7F, 0x80, 0xFF] {
                var corrupted = module
                corrupted[index] = replacement
                _ = try? LoopInstrumenter.instrument(corrupted)
            }
        }
        // The assertion is that we got here without a crash; make it observable too.
        #expect(module.count > 8)
    }

    @Test func hugeVectorCountThrows() {
        // Type section claiming 2^32-1 entries in a 5-byte payload.
        let module: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0, 0, 0, 0x01, 0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]
        #expect(throws: InstrumentationError.self) { try LoopInstrumenter.instrument(module) }
    }

    @Test func errorsNameTheByteOffset() throws {
        var module = Self.loopModule
        module.append(contentsOf: [0x0A, 0x40])  // a second code section whose size runs past the end
        do {
            _ = try LoopInstrumenter.instrument(module)
            Issue.record("expected an error")
        } catch let error as InstrumentationError {
            #expect(error.description.contains("0x"))
            #expect(error.description.hasPrefix("invalid module:"))
        }
    }

    @Test func danglingFunctionIndexIsRejected() throws {
        // `call 1` in a module with a single function would become a call to a real function
        // after renumbering if it were not checked.
        let module: [UInt8] = [
            0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
            0x01, 0x04, 0x01, 0x60, 0x00, 0x00,  // type () -> ()
            0x03, 0x02, 0x01, 0x00,  // one function
            0x0A, 0x0B, 0x01, 0x09, 0x00, 0x03, 0x40, 0x10, 0x01, 0x0C, 0x00, 0x0B, 0x0B,  // loop (call 1) (br 0)
        ]
        #expect(throws: InstrumentationError.self) { try LoopInstrumenter.instrument(module) }
    }

    @Test func referenceToTheFutureBudgetGlobalIsRejected() throws {
        // `global.set 0` in a module without globals: after the budget global is appended it would
        // let the guest reset its own budget.
        let module: [UInt8] = [
            0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00,
            0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
            0x03, 0x02, 0x01, 0x00,
            0x0A, 0x0D, 0x01, 0x0B, 0x00, 0x03, 0x40, 0x41, 0x00, 0x24, 0x00, 0x0C, 0x00, 0x0B, 0x0B,
        ]
        #expect(throws: InstrumentationError.self) { try LoopInstrumenter.instrument(module) }
    }
}
