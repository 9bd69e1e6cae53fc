import SandboxEngine

/// Every exit status the `station` commands use besides a module's own `proc_exit` code: the one
/// place they are written (docs/exit-codes.md lists them, and a CLI test checks that it does).
///
/// The numbers follow BSD's sysexits.h where one fits, `timeout(1)` for limits and the shell's
/// 128 + signal for interruptions; the module-related ones are ``ExitStatus`` from the engine port.
enum CommandExit {
    /// A command failed for a reason none of the others names (a peer refused, a fetch failed).
    static let failure: Int32 = 1
    /// A bad flag, argument or value (`EX_USAGE`).
    static let usage: Int32 = 64
    /// Invalid module (`EX_DATAERR`).
    static let invalidModule = ExitStatus.invalidModule
    /// A file named on the command line cannot be read (`EX_NOINPUT`).
    static let missingInput = ExitStatus.unreadableModule
    /// A link error, or a service the command needs cannot be had: the p2p node or block store
    /// cannot start, no gateway or peer has the content (`EX_UNAVAILABLE`).
    static let unavailable = ExitStatus.link
    /// The runtime itself failed (`EX_SOFTWARE`).
    static let software = ExitStatus.runtime
    /// The JavaScript engine module a `.js` module needs is not installed, or is damaged
    /// (`EX_OSFILE`: a file the runtime needs is missing or bad). Kept apart from the module's
    /// own failures so that a front end can tell "install the engine" from "the module is broken".
    static let engineMissing: Int32 = 72
    /// The configuration has problems (`EX_CONFIG`).
    static let configuration: Int32 = 78
    /// A limit or a timeout was hit (as `timeout(1)`).
    static let limit = ExitStatus.limit
    /// Interrupted by SIGINT or SIGTERM (128 + SIGINT).
    static let interrupted: Int32 = 130
    /// The module trapped.
    static let trap = ExitStatus.trap
}
