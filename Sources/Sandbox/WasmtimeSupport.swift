import Foundation
import SandboxEngine
import WasmtimeBackend

/// The few calls into the Wasmtime adapter that the factory needs, in one place.
enum WasmtimeSupport {
    static func cacheDirectory(environment: [String: String]) -> URL {
        let base = environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSTemporaryDirectory()).appendingPathComponent(".cache")
        return base.appendingPathComponent("station/wasmtime", isDirectory: true)
    }

    static func isInstalled(environment: [String: String]) -> Bool {
        (try? WasmtimeLibrary.locate(environment: environment)) != nil
    }

    static func makeEngine(settings: EngineSettings, environment: [String: String]) throws -> any WasmEngine {
        let library = try WasmtimeLibrary.locate(environment: environment)
        return try WasmtimeEngine(settings: settings, library: library, cacheDirectory: cacheDirectory(environment: environment))
    }

    static func status(environment: [String: String]) -> String {
        do {
            let library = try WasmtimeLibrary.locate(environment: environment)
            return "wasmtime 50.0.1 (\(library.path))"
        } catch {
            return "not available: \(error)"
        }
    }
}
