import Foundation
import SandboxEngine
import WasmKitBackend
import WasmtimeBackend

/// Which engine to use: `auto` picks Wasmtime when its library is installed, else WasmKit.
public enum EngineChoice: String, Sendable, CaseIterable, CustomStringConvertible {
    case auto, wasmtime, wasmkit

    public var description: String { rawValue }
}

/// Creates engines and shares them: an engine is costly to create and thread-safe, so every
/// module with the same engine settings uses the same one.
public enum EngineFactory {
    private static let cache = EngineCache()

    /// The engine for `choice` and `settings`. Throws ``SandboxError/engineUnavailable(_:)`` when
    /// Wasmtime was asked for explicitly and cannot be loaded.
    public static func engine(
        _ choice: EngineChoice, settings: EngineSettings,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> any WasmEngine {
        switch choice {
        case .wasmkit:
            return cache.engine(kind: .wasmkit, settings: settings) { WasmKitEngine(settings: settings) }
        case .wasmtime:
            return try cache.engine(kind: .wasmtime, settings: settings) {
                try WasmtimeSupport.makeEngine(settings: settings, environment: environment)
            }
        case .auto:
            if WasmtimeSupport.isInstalled(environment: environment) {
                if let engine = try? engine(.wasmtime, settings: settings, environment: environment) {
                    return engine
                }
            }
            return try engine(.wasmkit, settings: settings, environment: environment)
        }
    }

    /// One line per engine saying whether it can be used here and why not.
    public static func availability(environment: [String: String] = ProcessInfo.processInfo.environment) -> [(EngineKind, String)] {
        var lines: [(EngineKind, String)] = []
        lines.append((.wasmtime, WasmtimeSupport.status(environment: environment)))
        lines.append((.wasmkit, "wasmkit 0.4.2 (embedded interpreter, always available)"))
        return lines
    }
}

private final class EngineCache: @unchecked Sendable {
    private let lock = NSLock()
    private var engines: [Key: any WasmEngine] = [:]

    private struct Key: Hashable {
        var kind: EngineKind
        var settings: EngineSettings
    }

    func engine(kind: EngineKind, settings: EngineSettings, make: () throws -> any WasmEngine) rethrows -> any WasmEngine {
        lock.lock()
        defer { lock.unlock() }
        let key = Key(kind: kind, settings: settings)
        if let engine = engines[key] { return engine }
        let engine = try make()
        engines[key] = engine
        return engine
    }
}
