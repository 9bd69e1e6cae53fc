import Foundation
import SandboxEngine
import StationTestSupport
import Testing
import WasmtimeBackend

@Suite(.serialized) struct CompileCacheTests {
    static let module = #"(module (func (export "answer") (result i32) i32.const 42))"#

    static func compile(_ engine: WasmtimeEngine) throws -> WasmtimeModule {
        try engine.compileModule(Support.wasm(module))
    }

    static func answer(_ engine: WasmtimeEngine, _ module: WasmtimeModule) throws -> [WasmValue] {
        try Support.onInstanceThread {
            let instance = try engine.instantiate(
                module, hostFunctions: [], configuration: StoreConfiguration(limits: Limits(), governor: ExecutionGovernor()))
            return try instance.call("answer", [])
        }
    }

    static func cacheFiles(_ directory: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "cwasm" }
    }

    @Test func missThenHit() throws {
        let directory = try temporaryFolder("station-wt")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Support.engine(cache: directory)
        #expect(try Self.compile(first).origin == .compiled)
        #expect(try Self.cacheFiles(directory).count == 1)

        let second = try Support.engine(cache: directory)
        let cached = try Self.compile(second)
        #expect(cached.origin == .cacheHit)
        #expect(try Self.answer(second, cached) == [.int32(42)])
    }

    @Test func otherSettingsUseAnotherEntry() throws {
        let directory = try temporaryFolder("station-wt")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try Self.compile(Support.engine(cache: directory)).origin == .compiled)
        #expect(try Self.compile(Support.engine(fuel: true, cache: directory)).origin == .compiled)
        #expect(try Self.cacheFiles(directory).count == 2)
    }

    @Test(arguments: ["garbage", "truncated", "empty"])
    func corruptEntryIsRecompiledAndReplaced(damage: String) throws {
        let directory = try temporaryFolder("station-wt")
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try Self.compile(Support.engine(cache: directory))
        let file = try #require(try Self.cacheFiles(directory).first)
        let good = try Data(contentsOf: file)
        switch damage {
        case "garbage": try Data((0..<good.count).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: file)
        case "truncated": try good.prefix(good.count / 2).write(to: file)
        default: try Data().write(to: file)
        }

        let engine = try Support.engine(cache: directory)
        let module = try Self.compile(engine)
        #expect(module.origin == .recompiledAfterCorruptCache)
        #expect(try Self.answer(engine, module) == [.int32(42)])
        #expect(try Data(contentsOf: file) == good)
        #expect(try Self.compile(Support.engine(cache: directory)).origin == .cacheHit)
    }
}
