/// Thrown by `proc_exit`: the guest asked to end with this status. Runners turn it into the
/// process exit status.
public struct WASIExit: Error, Sendable, Hashable, CustomStringConvertible {
    /// The status the guest passed to `proc_exit`.
    public let code: UInt32

    public init(code: UInt32) {
        self.code = code
    }

    public var description: String { "the module exited with status \(code)" }
}

/// Why a ``WASIContext`` could not be set up.
public enum WASIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A preopened directory could not be opened (missing, not a directory, no permission).
    case cannotOpenPreopen(hostPath: String, reason: String)
    /// The guest path of a preopen is empty.
    case invalidGuestPath(String)
    /// An argument or environment entry contains a NUL byte, or an environment name contains `=`.
    case invalidString(String)
    /// The context was used after ``WASIContext/close()``.
    case closed

    public var description: String {
        switch self {
        case .cannotOpenPreopen(let hostPath, let reason):
            "cannot open directory '\(hostPath)' for the module: \(reason)"
        case .invalidGuestPath(let path):
            "invalid guest path '\(path)' for a preopened directory"
        case .invalidString(let text):
            "invalid argument or environment entry '\(text)' (NUL byte, or '=' in a variable name)"
        case .closed:
            "the WASI context is closed"
        }
    }
}
