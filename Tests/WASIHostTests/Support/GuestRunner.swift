import Foundation
import SandboxEngine
import Testing
import WASIHost
import WAT
import WasmKitBackend
import WasmtimeBackend

/// Makes an engine for the end-to-end tests. Every engine adapter is added to ``all`` so the same
/// conformance tests run on each.
struct EngineFactory: Sendable, CustomStringConvertible {
    let name: String
    let make: @Sendable () throws -> any WasmEngine

    var description: String { name }

    static let wasmKit = EngineFactory(name: "wasmkit") { WasmKitEngine(settings: EngineSettings()) }

    /// Wasmtime from where `station` finds it; a missing library fails the test with the fix.
    static let wasmtime = EngineFactory(name: "wasmtime") {
        do {
            let library = try WasmtimeLibrary.locate()
            return try WasmtimeEngine(settings: EngineSettings(), library: library, cacheDirectory: nil)
        } catch {
            Issue.record("Wasmtime is not usable: \(error). Run: bash scripts/install-extras")
            throw error
        }
    }

    /// The engines every end-to-end test runs on.
    static let all: [EngineFactory] = [wasmKit, wasmtime]
}

/// Runs a WASI command module's `_start` with a fresh ``WASIContext``.
enum GuestRunner {
    /// The exit status: 0 when `_start` returns, the `proc_exit` code otherwise. Other errors
    /// (traps, governor stops) are thrown.
    static func run(
        _ wasm: [UInt8], on factory: EngineFactory, configuration: WASIConfiguration,
        governor: ExecutionGovernor = ExecutionGovernor(timeout: .seconds(120))
    ) throws -> UInt32 {
        var configuration = configuration
        configuration.governor = governor
        let engine = try factory.make()
        let module = try engine.compile(wasm)
        let context = try WASIContext(configuration: configuration)
        defer { context.close() }
        let instance = try engine.instantiate(
            module, hostFunctions: context.hostFunctions(),
            configuration: StoreConfiguration(limits: Limits(), governor: governor))
        do {
            _ = try instance.call("_start", [])
            return 0
        } catch let exit as WASIExit {
            return exit.code
        }
    }

    /// Compiles WAT text to a binary module.
    static func wat(_ text: String) throws -> [UInt8] {
        try wat2wasm(text)
    }

    /// Compiles `Tests/WASIHostTests/Guests/<name>.c` for wasm32-wasi with clang-19.
    static func cGuest(_ name: String) throws -> [UInt8] {
        let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let repository = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
        let source = testsDirectory.appendingPathComponent("Guests/\(name).c")
        let sysroot = repository.appendingPathComponent(".build-sysroot/wasm32-wasi")
        let clang = "/usr/bin/clang-19"
        guard FileManager.default.isExecutableFile(atPath: clang),
              FileManager.default.fileExists(atPath: sysroot.appendingPathComponent("lib").path)
        else {
            throw GuestBuildError("clang-19 or the wasm32-wasi sysroot is missing: run bash scripts/install-extras")
        }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("wasi-guest-\(name)-\(UUID().uuidString).wasm")
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: clang)
        process.arguments = ["--target=wasm32-wasi", "--sysroot=\(sysroot.path)", "-O2", source.path, "-o", output.path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw GuestBuildError("clang-19 failed for \(name).c: \(String(decoding: message, as: UTF8.self))")
        }
        return Array(try Data(contentsOf: output))
    }
}

struct GuestBuildError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
