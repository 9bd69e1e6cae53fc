import Crypto
import Foundation
import SandboxEngine
import Synchronization
import WasmtimeBackend

/// The JavaScript engine module, `station-js.wasm` (QuickJS-ng and our glue, built by
/// `bash scripts/install-extras`): where it is, which version, and its verified bytes.
///
/// JavaScript modules are not WebAssembly: `station` runs this engine module, which reads the
/// script from the module's folder (see ``JavaScriptModule``). The engine sits next to Wasmtime in
/// the engines folder, `${XDG_DATA_HOME:-~/.local/share}/station/engines/station-js/`, as
/// `station-js.wasm` with a `manifest.json` beside it:
///
/// ```json
/// {"engine":"station-js","version":"0.1.0","quickjs":"0.17.0.2","sha256":"<hex of the wasm>"}
/// ```
///
/// `STATION_JS_ENGINE=/path/to/station-js.wasm` names another engine file (for development and
/// tests); its manifest is then optional, but checked when present beside it.
///
/// The bytes are checked against the manifest's SHA-256 before they are used, so a truncated or
/// corrupt engine is refused with a message saying how to rebuild it. A process hashes a given
/// file version once (``locate(environment:)`` keeps the verified bytes by file identity): a
/// daemon restarting JavaScript modules neither re-reads nor re-hashes the engine.
public struct JavaScriptEngine: Sendable {
    /// The engine's name, its file's base name and the `argv[0]` it is run with.
    public static let name = "station-js"
    /// The environment variable that names the engine file explicitly.
    public static let environmentVariable = "STATION_JS_ENGINE"
    /// What a person runs to build and install the engine.
    public static let installCommand = "bash scripts/install-extras"

    /// `manifest.json` beside the engine.
    public struct Manifest: Sendable, Hashable, Codable {
        /// Always `station-js`.
        public var engine: String
        /// The engine's own version, e.g. `0.1.0`.
        public var version: String
        /// The QuickJS-ng release it is built from, e.g. `0.17.0.2`.
        public var quickjs: String
        /// Lowercase hex SHA-256 of `station-js.wasm`.
        public var sha256: String

        public init(engine: String = JavaScriptEngine.name, version: String, quickjs: String, sha256: String) {
            self.engine = engine
            self.version = version
            self.quickjs = quickjs
            self.sha256 = sha256
        }
    }

    /// The engine file (absolute).
    public let path: String
    /// Its manifest; nil only for an engine named by `STATION_JS_ENGINE` without one.
    public let manifest: Manifest?
    /// The verified engine module, named ``name``.
    public let module: LoadedModule
    /// Lowercase hex SHA-256 of the engine's bytes (the manifest's, checked; else computed): what
    /// the bytecode cache is keyed by, so bytecode from one engine build never reaches another.
    public let sha256: String

    /// The engines folder: where Wasmtime is installed too (``WasmtimeLibrary/installedPath(environment:)``).
    public static func enginesFolder(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        URL(fileURLWithPath: WasmtimeLibrary.installedPath(environment: environment))
            .deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// Where `bash scripts/install-extras` installs the engine:
    /// `${XDG_DATA_HOME:-$HOME/.local/share}/station/engines/station-js/station-js.wasm`.
    public static func installedPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        enginesFolder(environment: environment) + "/\(name)/\(name).wasm"
    }

    /// The engine file that would be used: `STATION_JS_ENGINE` when set, else ``installedPath(environment:)``.
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit = environment[environmentVariable], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit).standardizedFileURL.path
        }
        return installedPath(environment: environment)
    }

    /// The manifest's path for an engine file: `manifest.json` in the same folder.
    public static func manifestPath(forEngine path: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("manifest.json").path
    }

    /// Finds, reads and verifies the engine.
    ///
    /// - Throws: ``JavaScriptEngineError`` when it is missing, its manifest is missing or
    ///   malformed, or its bytes do not match the manifest's hash.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws(JavaScriptEngineError) -> JavaScriptEngine {
        let explicit = environment[environmentVariable].map { !$0.isEmpty } ?? false
        let path = path(environment: environment)
        guard let identity = FileIdentity(path: path) else {
            throw explicit ? .overrideMissing(path: path) : .notInstalled(path: path)
        }
        let manifestFile = manifestPath(forEngine: path)
        let manifest: Manifest?
        if FileManager.default.fileExists(atPath: manifestFile) || !explicit {
            manifest = try readManifest(manifestFile, engine: path)
        } else {
            manifest = nil
        }
        if let cached = verified.withLock({ $0[identity] }), cached.manifest == manifest {
            return cached
        }
        let bytes: [UInt8]
        do {
            bytes = try ModuleLoader.readFile(atPath: path)
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
        let actual = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        if let manifest {
            guard actual == manifest.sha256.lowercased() else {
                throw .hashMismatch(path: path, expected: manifest.sha256, actual: actual, size: bytes.count)
            }
        }
        guard bytes.starts(with: WasmBinaryHeader.magic), WasmBinaryHeader.problem(in: bytes) == nil else {
            throw .notWebAssembly(path: path)
        }
        let engine = JavaScriptEngine(path: path, manifest: manifest, module: LoadedModule(name: name, wasm: bytes), sha256: actual)
        verified.withLock { $0[identity] = engine }
        return engine
    }

    /// One line for `station version`: the engine's version, QuickJS-ng version and path, or why
    /// it cannot be used.
    public static func status(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        do {
            let engine = try locate(environment: environment)
            if let manifest = engine.manifest {
                return "\(name) \(manifest.version) (QuickJS-ng \(manifest.quickjs), \(engine.path))"
            }
            return "\(name) (no manifest, unverified: \(engine.path))"
        } catch {
            return "not available: \(error)"
        }
    }

    /// Engines already read and verified in this process, by file version.
    private static let verified = Mutex<[FileIdentity: JavaScriptEngine]>([:])

    private static func readManifest(_ file: String, engine: String) throws(JavaScriptEngineError) -> Manifest {
        guard FileManager.default.fileExists(atPath: file) else {
            throw .badManifest(path: file, reason: "it is missing (it belongs beside \(engine))")
        }
        let data: [UInt8]
        do {
            // A manifest is a few hundred bytes; anything far larger is not one.
            data = try RegularFile(path: file, maximumSize: 64 << 10).read(atMost: 64 << 10)
        } catch {
            throw .badManifest(path: file, reason: "\(error)")
        }
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: Data(data))
        } catch {
            throw .badManifest(path: file, reason: "not the expected JSON {\"engine\",\"version\",\"quickjs\",\"sha256\"}")
        }
        guard manifest.engine == name else {
            throw .badManifest(path: file, reason: "it describes the engine '\(manifest.engine)', not '\(name)'")
        }
        guard manifest.sha256.count == 64, manifest.sha256.allSatisfy(\.isHexDigit) else {
            throw .badManifest(path: file, reason: "'sha256' is not 64 hex digits")
        }
        return manifest
    }
}

/// Why the JavaScript engine cannot be used. Every message says how to get a working one.
public enum JavaScriptEngineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing at the install location.
    case notInstalled(path: String)
    /// `STATION_JS_ENGINE` names a file that does not exist.
    case overrideMissing(path: String)
    /// The engine file exists but cannot be read.
    case unreadable(path: String, reason: String)
    /// `manifest.json` is missing or malformed.
    case badManifest(path: String, reason: String)
    /// The engine's bytes do not match its manifest (truncated, corrupt or replaced).
    case hashMismatch(path: String, expected: String, actual: String, size: Int)
    /// The file is not a WebAssembly module.
    case notWebAssembly(path: String)

    public var description: String {
        let rebuild = "rebuild and install it with: \(JavaScriptEngine.installCommand)"
        switch self {
        case .notInstalled(let path):
            return "the JavaScript engine is not installed (no \(path)); install it with: \(JavaScriptEngine.installCommand)"
        case .overrideMissing(let path):
            return "\(JavaScriptEngine.environmentVariable) names \(path), which is not a file; unset it to use the installed engine, or \(rebuild)"
        case .unreadable(let path, let reason):
            return "cannot read the JavaScript engine \(path): \(reason); \(rebuild)"
        case .badManifest(let path, let reason):
            return "the JavaScript engine's manifest \(path) is unusable: \(reason); \(rebuild)"
        case .hashMismatch(let path, let expected, let actual, let size):
            return "the JavaScript engine \(path) is damaged: its SHA-256 is \(actual) (\(size) bytes), but its manifest says \(expected); \(rebuild)"
        case .notWebAssembly(let path):
            return "the JavaScript engine \(path) is not a WebAssembly module; \(rebuild)"
        }
    }
}
