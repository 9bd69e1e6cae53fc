/// Why a trap happened, normalised across engines.
public enum TrapKind: String, Sendable, Hashable {
    case unreachable = "unreachable instruction executed"
    case memoryOutOfBounds = "out-of-bounds memory access"
    case tableOutOfBounds = "out-of-bounds table access"
    case indirectCallToNull = "indirect call to a null table entry"
    case indirectCallTypeMismatch = "indirect call signature mismatch"
    case integerDivisionByZero = "integer division by zero"
    case integerOverflow = "integer overflow"
    case invalidConversion = "invalid conversion to integer"
    case nullReference = "null reference"
    case other = "trap"
}

/// A trap, with the function it happened in when the engine knows it.
public struct TrapDescription: Sendable, Hashable, CustomStringConvertible {
    public var kind: TrapKind
    /// The engine's own message, kept for details the kind does not carry.
    public var message: String
    /// The name of the WebAssembly function that trapped (from the name section or exports).
    public var function: String?

    public init(kind: TrapKind, message: String, function: String? = nil) {
        self.kind = kind
        self.message = message
        self.function = function
    }

    public var description: String {
        var text = kind == .other ? message : kind.rawValue
        if let function { text += " in function '\(function)'" }
        return text
    }
}

/// Everything that can stop a module, in words a module author understands.
///
/// Each case maps to one process exit status of `station run` (``exitStatus``), documented in
/// `docs/exit-codes.md`.
public enum SandboxError: Error, Sendable, CustomStringConvertible {
    /// The module file could not be read.
    case unreadableModule(path: String, reason: String)
    /// The bytes are not a valid WebAssembly module (or the text is not valid WAT).
    case invalidModule(reason: String, offset: Int?)
    /// The module imports something the runtime does not provide.
    case missingImport(module: String, name: String, detail: String)
    /// Imports exist but do not match (wrong type), or instantiation failed for another reason.
    case link(String)
    /// The module trapped.
    case trap(TrapDescription)
    /// The module hit one of its limits.
    case limitExceeded(LimitKind, detail: String)
    /// The module has no function of that name to run.
    case missingExport(String)
    /// The requested engine cannot be used on this machine.
    case engineUnavailable(String)
    /// The runtime itself failed (an I/O error in the host, for example).
    case runtime(String)

    /// Process exit status for `station run`.
    public var exitStatus: Int32 {
        switch self {
        case .invalidModule: ExitStatus.invalidModule
        case .unreadableModule: ExitStatus.unreadableModule
        case .missingImport, .link, .missingExport: ExitStatus.link
        case .trap: ExitStatus.trap
        case .limitExceeded: ExitStatus.limit
        case .engineUnavailable, .runtime: ExitStatus.runtime
        }
    }

    public var description: String {
        switch self {
        case .unreadableModule(let path, let reason):
            "cannot read module '\(path)': \(reason)"
        case .invalidModule(let reason, let offset):
            if let offset { "invalid module: \(reason) (at byte offset \(offset))" } else { "invalid module: \(reason)" }
        case .missingImport(let module, let name, let detail):
            "missing import: the module imports \(module).\(name)\(detail.isEmpty ? "" : " (\(detail))"), which this runtime does not provide"
        case .link(let message):
            "cannot instantiate module: \(message)"
        case .trap(let trap):
            "trap: \(trap)"
        case .limitExceeded(let kind, let detail):
            "limit hit: \(kind) (\(detail))"
        case .missingExport(let name):
            "the module exports no function '\(name)'"
        case .engineUnavailable(let message):
            "engine unavailable: \(message)"
        case .runtime(let message):
            "runtime error: \(message)"
        }
    }
}

/// The process exit statuses of `station run` besides the module's own `proc_exit` code.
public enum ExitStatus {
    /// The module file could not be read (like `EX_NOINPUT`).
    public static let unreadableModule: Int32 = 66
    /// The module is malformed or invalid (like `EX_DATAERR`).
    public static let invalidModule: Int32 = 65
    /// A missing or mismatched import, or no such export (like `EX_UNAVAILABLE`).
    public static let link: Int32 = 69
    /// The runtime failed (like `EX_SOFTWARE`).
    public static let runtime: Int32 = 70
    /// A limit was hit (the same status as `timeout(1)`).
    public static let limit: Int32 = 124
    /// The module trapped (the status `wasmtime run` uses).
    public static let trap: Int32 = 134
}
