import SandboxEngine

/// Why libwasmtime could not be used.
public enum WasmtimeLibraryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No library was found in any of the searched places.
    case notFound(searched: [String])
    /// `STATION_WASMTIME_LIB` names a file that does not exist.
    case explicitPathMissing(path: String)
    /// The file exists but is not a known build of Wasmtime 50.0.1.
    case unknownBuild(path: String, sha256: String)
    /// The file could not be read (to hash it).
    case unreadable(path: String, reason: String)
    /// `dlopen` failed or the library lacks a function Station needs.
    case loadFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let searched):
            "libwasmtime \(WasmtimeLibrary.version) is not installed (looked in: \(searched.joined(separator: ", "))); "
                + "run `bash scripts/install-extras` or set \(WasmtimeLibrary.environmentVariable) to its path"
        case .explicitPathMissing(let path):
            "\(WasmtimeLibrary.environmentVariable) points to \(path), which does not exist"
        case .unknownBuild(let path, let sha256):
            "refusing libwasmtime at \(path): its SHA-256 is \(sha256), which is not a known build of Wasmtime "
                + "\(WasmtimeLibrary.version) (expected one of: \(WasmtimeLibrary.knownBuilds.keys.sorted().joined(separator: ", "))); "
                + "the C API's struct layouts change between versions, so only \(WasmtimeLibrary.version) can be used"
        case .unreadable(let path, let reason):
            "cannot read libwasmtime at \(path): \(reason)"
        case .loadFailed(let path, let reason):
            "cannot load libwasmtime at \(path): \(reason)"
        }
    }

    /// The same problem as the engine port reports it.
    public var sandboxError: SandboxError { .engineUnavailable(description) }
}
