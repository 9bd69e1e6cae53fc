import CWasmtime
import Foundation
import SandboxEngine
import Synchronization

/// A loaded, verified copy of libwasmtime 50.0.1.
///
/// Station never links libwasmtime: it finds the file, checks its SHA-256 against the known builds
/// of 50.0.1 (the C API's struct layouts change between versions, so any other file is refused),
/// and only then loads it with `dlopen`. Libraries stay loaded for the life of the process.
///
/// Search order (``candidatePaths(environment:)``): `STATION_WASMTIME_LIB` (an explicit path, no
/// fallback), then `${XDG_DATA_HOME:-~/.local/share}/station/engines/wasmtime-50.0.1/libwasmtime.so`
/// (where `bash scripts/install-extras` puts it), then `/usr/local/lib/libwasmtime.so` and
/// `/usr/lib/libwasmtime.so`.
public final class WasmtimeLibrary: @unchecked Sendable {
    /// The only Wasmtime version Station's declarations match.
    public static let version = "50.0.1"

    /// SHA-256 of every accepted build, with where it comes from.
    public static let knownBuilds: [String: String] = [
        "3127ca42fe7cdd3f0a43a358e79177dcfedd46c1746329826403b9d854de6178":
            "PyPI wheel wasmtime==50.0.1 (manylinux x86_64): wasmtime/linux-x86_64/_libwasmtime.so",
    ]

    /// The environment variable that names the library explicitly.
    public static let environmentVariable = "STATION_WASMTIME_LIB"

    /// Where the library was loaded from.
    public let path: String
    /// The SHA-256 of the loaded file (lowercase hex).
    public let sha256: String
    /// The resolved C API (valid for the life of the process).
    let api: UnsafePointer<cwt_api>

    private init(path: String, sha256: String, api: UnsafePointer<cwt_api>) {
        self.path = path
        self.sha256 = sha256
        self.api = api
    }

    /// Libraries already loaded in this process, by file identity.
    private static let loaded = Mutex<[FileIdentity: WasmtimeLibrary]>([:])

    /// The places searched, in order. With `STATION_WASMTIME_LIB` set, only that path.
    public static func candidatePaths(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        if let explicit = environment[environmentVariable], !explicit.isEmpty {
            return [explicit]
        }
        return [installedPath(environment: environment), "/usr/local/lib/libwasmtime.so", "/usr/lib/libwasmtime.so"]
    }

    /// Where `bash scripts/install-extras` installs the library:
    /// `${XDG_DATA_HOME:-$HOME/.local/share}/station/engines/wasmtime-50.0.1/libwasmtime.so`.
    public static func installedPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base: String
        if let xdg = environment["XDG_DATA_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        }
        return base + "/station/engines/wasmtime-\(version)/libwasmtime.so"
    }

    /// Whether a usable library is present (for `--engine auto`). Hashes the file only the first
    /// time a given file version is seen (the verdict is cached on disk).
    public static func isInstalled(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        (try? locate(environment: environment)) != nil
    }

    /// Finds, verifies and loads the library.
    ///
    /// - Parameters:
    ///   - environment: where `STATION_WASMTIME_LIB`, `XDG_DATA_HOME`, `XDG_CACHE_HOME` and `HOME` are read.
    ///   - verdictCacheDirectory: where verified-file markers live; default
    ///     `${XDG_CACHE_HOME:-~/.cache}/station/wasmtime-verified`. Pass nil to always hash.
    public static func locate(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        verdictCacheDirectory: URL?? = .none
    ) throws(WasmtimeLibraryError) -> WasmtimeLibrary {
        let cacheDirectory: URL? = switch verdictCacheDirectory {
        case .none: LibraryVerdictCache.defaultDirectory(environment: environment)
        case .some(let chosen): chosen
        }
        let candidates = candidatePaths(environment: environment)
        if let explicit = environment[environmentVariable], !explicit.isEmpty {
            guard FileIdentity(path: explicit) != nil else { throw .explicitPathMissing(path: explicit) }
            return try load(path: explicit, verdictCacheDirectory: cacheDirectory)
        }
        for candidate in candidates where FileIdentity(path: candidate) != nil {
            return try load(path: candidate, verdictCacheDirectory: cacheDirectory)
        }
        throw .notFound(searched: candidates)
    }

    /// Verifies and loads the library at `path`.
    public static func load(path: String, verdictCacheDirectory: URL?) throws(WasmtimeLibraryError) -> WasmtimeLibrary {
        guard let identity = FileIdentity(path: path) else {
            throw .unreadable(path: path, reason: "no such regular file")
        }
        let verdicts = verdictCacheDirectory.map(LibraryVerdictCache.init(directory:))
        if let library = loaded.withLock({ $0[identity] }) {
            if let verdicts, verdicts.recordedHash(for: identity) != library.sha256 {
                verdicts.record(library.sha256, for: identity)
            }
            return library
        }

        let sha256: String
        if let recorded = verdicts?.recordedHash(for: identity), knownBuilds[recorded] != nil {
            sha256 = recorded
        } else {
            sha256 = try Hashing.sha256HexOfFile(at: path)
            guard knownBuilds[sha256] != nil else { throw .unknownBuild(path: path, sha256: sha256) }
            verdicts?.record(sha256, for: identity)
        }

        var message = [CChar](repeating: 0, count: 1024)
        let table = message.withUnsafeMutableBufferPointer { buffer in
            cwt_load(path, buffer.baseAddress!, buffer.count)
        }
        guard let table else {
            let reason = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw .loadFailed(path: path, reason: reason.isEmpty ? "unknown error" : reason)
        }
        let library = WasmtimeLibrary(path: path, sha256: sha256, api: table)
        return loaded.withLock { cache in
            if let existing = cache[identity] { return existing }
            cache[identity] = library
            return library
        }
    }
}
