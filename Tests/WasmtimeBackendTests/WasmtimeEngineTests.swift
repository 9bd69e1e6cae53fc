import Foundation
import SandboxEngine
import Testing
import WasmtimeBackend

@Suite(.serialized) struct WasmtimeEngineTests {
    @Test func namesItsVersion() throws {
        let engine = try Support.engine()
        #expect(engine.kind == .wasmtime)
        #expect(engine.version == "wasmtime 50.0.1")
        #expect(engine.settings == EngineSettings(fuelMetering: false, maxStackBytes: 1 << 20))
    }

    static func invalidModuleOffset(_ bytes: [UInt8]) throws -> Int? {
        let engine = try Support.engine()
        let error = Support.error { _ = try engine.compile(bytes) }
        guard case .invalidModule(let reason, let offset)? = error as? SandboxError else {
            Issue.record("expected invalidModule, got \(String(describing: error))")
            return nil
        }
        #expect(!reason.isEmpty)
        return offset
    }

    @Test func garbageIsInvalidAtOffsetZero() throws {
        #expect(try Self.invalidModuleOffset([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]) == 0)
    }

    @Test func wrongVersionIsInvalidAtOffsetFour() throws {
        #expect(try Self.invalidModuleOffset([0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00]) == 4)
    }

    @Test func truncatedModuleIsInvalidWithAnOffset() throws {
        let wasm = try Support.wasm(#"(module (func (export "f") (result i32) i32.const 1))"#)
        let offset = try Self.invalidModuleOffset(Array(wasm.dropLast(3)))
        let found = try #require(offset)
        #expect(found > 8 && found <= wasm.count)
    }

    @Test func emptyFileIsInvalid() throws {
        #expect(try Self.invalidModuleOffset([]) == 0)
    }

    @Test func typeErrorIsInvalidWithTheOffset() throws {
        let offset = try Self.invalidModuleOffset(try Support.wasm(#"(module (func (result i32) i64.const 1))"#))
        #expect(offset != nil)
    }

    @Test func modulesFromAnotherEngineAreRefused() throws {
        let first = try Support.engine()
        let second = try Support.engine()
        let module = try first.compile(Support.wasm("(module)"))
        try Support.onInstanceThread {
            let error = Support.error {
                _ = try second.instantiate(
                    module, hostFunctions: [], configuration: StoreConfiguration(limits: Limits(), governor: ExecutionGovernor()))
            }
            #expect(error is SandboxError)
        }
    }

    @Test func hugeStackSettingsAreClamped() throws {
        let engine = try Support.engine(stack: 1 << 40)
        #expect(engine.stackBytes == 512 << 20)
        let tiny = try Support.engine(stack: 0)
        #expect(tiny.stackBytes == 16 << 10)
    }
}
