/// The error codes of the station ABI. Every failing import returns one of these (always
/// negative), and the module can read a readable message for it with `station.last_error`.
///
/// The values are part of ABI v1 (`docs/abi.md`) and never change meaning.
public enum StationErrorCode: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// An argument is invalid (bad UTF-8, unknown enum value, malformed URL or header, ...).
    case invalidArgument = -1
    /// A pointer/length pair lies outside the module's linear memory, or overflows.
    case fault = -2
    /// The handle was never issued, or is already closed, or is of the wrong kind.
    case badHandle = -3
    /// The operation is not ready yet: `poll` the handle, then retry.
    case wouldBlock = -4
    /// A quota would be exceeded (key-value store, storage).
    case quotaExceeded = -5
    /// The module's grants or the network policy forbid this.
    case denied = -6
    /// A limit on concurrent resources was reached (handles, connections).
    case limitReached = -7
    /// Nothing with that name exists (key not found).
    case notFound = -8
    /// A deadline passed.
    case timedOut = -9
    /// A network or remote failure (connection refused, reset, bad response, TLS failure, ...).
    case io = -10
    /// A response or value is larger than its cap.
    case tooLarge = -11
    /// The operation was cancelled (its handle was closed or the module is stopping).
    case cancelled = -12
    /// This runtime does not support the request.
    case unsupported = -13
    /// The given buffer is too small for one whole item (for example a key in `kv_list`).
    case bufferTooSmall = -14

    /// A short stable name, e.g. `denied`, used in messages and docs.
    public var name: String {
        switch self {
        case .invalidArgument: "invalid-argument"
        case .fault: "fault"
        case .badHandle: "bad-handle"
        case .wouldBlock: "would-block"
        case .quotaExceeded: "quota-exceeded"
        case .denied: "denied"
        case .limitReached: "limit-reached"
        case .notFound: "not-found"
        case .timedOut: "timed-out"
        case .io: "io"
        case .tooLarge: "too-large"
        case .cancelled: "cancelled"
        case .unsupported: "unsupported"
        case .bufferTooSmall: "buffer-too-small"
        }
    }

    public var description: String { name }
}

/// A failed station operation: a code the module sees as a negative return value and a message it
/// can read with `last_error`.
public struct StationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: StationErrorCode
    public var message: String

    public init(_ code: StationErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.name): \(message)" }

    public static func badHandle(_ handle: Int32) -> StationError {
        StationError(.badHandle, "handle \(handle) is not open")
    }

    public static let wouldBlock = StationError(.wouldBlock, "not ready yet; poll the handle and retry")
}
