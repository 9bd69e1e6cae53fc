import Testing
import WasmInstrumentation
import WasmKit
import WasmParser

@Suite struct NameSectionRewriterTests {
    static let wat = """
        (module
          (import "env" "host_log" (func $host_log (param i32)))
          (func $alpha (param $alpha_arg i32) (result i32) (local $alpha_tmp i32)
            (loop $spin (br_if $spin (i32.const 0))) (local.get $alpha_arg))
          (func $beta (param $beta_arg i32) (result i32) (call $alpha (local.get $beta_arg)))
          (func $boom (export "boom") (loop $l (unreachable))))
        """

    static func names(in wasm: [UInt8]) throws -> [ParsedNames] {
        var parser = Parser(bytes: wasm, features: GuestHarness.features)
        while let payload = try parser.parseNext() {
            if case .customSection(let section) = payload, section.name == "name" {
                var names = NameSectionParser(stream: StaticByteStreamSource(bytes: section.bytes))
                return try names.parseAll()
            }
        }
        return []
    }

    @Test func functionAndLocalNamesFollowTheirFunctions() throws {
        let original = try GuestHarness.wasm(Self.wat, names: true)
        let module = try LoopInstrumenter.instrument(original)
        var originalFunctions: NameMap = [:], newFunctions: NameMap = [:]
        var originalLocals: [UInt32: NameMap] = [:], newLocals: [UInt32: NameMap] = [:]
        for entry in try Self.names(in: original) {
            if case .functions(let map) = entry { originalFunctions = map }
            if case .locals(let map) = entry { originalLocals = map }
        }
        for entry in try Self.names(in: module.bytes) {
            if case .functions(let map) = entry { newFunctions = map }
            if case .locals(let map) = entry { newLocals = map }
        }
        #expect(originalFunctions == [0: "host_log", 1: "alpha", 2: "beta", 3: "boom"])
        #expect(newFunctions == [0: "host_log", 1: "station:sandbox.checkpoint", 2: "alpha", 3: "beta", 4: "boom"])
        #expect(!originalLocals.isEmpty)
        #expect(newLocals[2] == originalLocals[1])
        #expect(newLocals[3] == originalLocals[2])
        #expect(newLocals[2]?[1] == "alpha_tmp")
    }

    @Test func trapBacktraceNamesTheTrappingFunction() throws {
        let original = try GuestHarness.wasm(Self.wat, names: true)
        let module = try LoopInstrumenter.instrument(original)
        let instance = try GuestHarness.instantiate(module.bytes, host: CheckpointHost(nextBudget: 10)) { store, imports in
            imports.define(module: "env", name: "host_log", Function(store: store, parameters: [.i32]) { _, _ in [] })
        }
        do {
            _ = try instance.exports[function: "boom"]?([])
            Issue.record("expected a trap")
        } catch {
            let text = String(describing: error)
            #expect(text.contains("boom"), "\(text)")
            #expect(!text.contains("beta"), "\(text)")
        }
    }

    @Test func otherCustomSectionsAreCopied() throws {
        var original = try GuestHarness.wasm(Self.wat)
        let custom: [UInt8] = [0x00, 0x09, 0x04] + Array("meta".utf8) + [1, 2, 3, 4]
        original.append(contentsOf: custom)
        let module = try LoopInstrumenter.instrument(original)
        #expect(Array(module.bytes.suffix(custom.count)) == custom)
    }

    @Test func malformedNameSectionIsDropped() throws {
        var original = try GuestHarness.wasm(Self.wat)
        // "name" section whose function-names subsection claims 5 entries but holds none.
        original.append(contentsOf: [0x00, 0x08, 0x04] + Array("name".utf8) + [0x01, 0x01, 0x05])
        let module = try LoopInstrumenter.instrument(original)
        #expect(try Self.names(in: module.bytes).isEmpty)
        #expect(!module.bytes.suffix(12).elementsEqual(Array("name".utf8) + [0x01, 0x01, 0x05]))
    }
}
