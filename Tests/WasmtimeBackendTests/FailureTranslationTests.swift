import SandboxEngine
import Testing
@testable import WasmtimeBackend

/// Message parsing needs no library: these use Wasmtime 50.0.1's real message texts.
@Suite struct FailureTranslationTests {
    @Test func hexOffsetFromParseError() {
        let message = "failed to parse WebAssembly module\n\nCaused by:\n    unknown binary version: 0x2 (at offset 0x4)\n"
        guard case .invalidModule(let reason, let offset) = FailureTranslation.invalidModule(message) else {
            Issue.record("not an invalidModule error")
            return
        }
        #expect(offset == 4)
        #expect(reason == "unknown binary version: 0x2")
    }

    @Test func decimalOffsetFromValidationError() {
        let message = "failed to compile: wasm[0]::function[0]\n\nCaused by:\n    0: WebAssembly translation error\n"
            + "    1: Invalid input WebAssembly code at offset 33: type mismatch: expected i32, found i64\n"
        guard case .invalidModule(let reason, let offset) = FailureTranslation.invalidModule(message) else {
            Issue.record("not an invalidModule error")
            return
        }
        #expect(offset == 33)
        #expect(reason == "type mismatch: expected i32, found i64")
    }

    @Test func messageWithoutOffset() {
        #expect(FailureTranslation.byteOffset(in: "something odd") == nil)
        #expect(FailureTranslation.deepestCause("something odd") == "something odd")
        #expect(FailureTranslation.deepestCause("") == "")
    }

    @Test func unknownImportBecomesMissingImport() {
        let error = FailureTranslation.instantiation("unknown import: `env::f` has not been defined", limits: Limits())
        guard case .missingImport(let module, let name, _) = error else {
            Issue.record("expected missingImport, got \(error)")
            return
        }
        #expect(module == "env")
        #expect(name == "f")
    }

    @Test func initialMemoryTooLargeBecomesMemoryLimit() {
        let error = FailureTranslation.instantiation(
            "memory minimum size of 10 pages exceeds memory limits", limits: Limits(memoryBytes: 65536 * 5))
        guard case .limitExceeded(.memory, let detail) = error else {
            Issue.record("expected a memory limit, got \(error)")
            return
        }
        #expect(detail.contains("10 pages"))
        #expect(detail.contains("320 KiB"))
    }

    @Test func hostileMessagesDoNotCrash() {
        for message in ["at offset ", "at offset 0x", "unknown import: `", "unknown import: `::`", "\n\n\n", "1:", ": : :"] {
            _ = FailureTranslation.invalidModule(message)
            _ = FailureTranslation.instantiation(message, limits: Limits())
        }
        #expect(FailureTranslation.byteOffset(in: "at offset 0xzz") == nil)
    }
}
