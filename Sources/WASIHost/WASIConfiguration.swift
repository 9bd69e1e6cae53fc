import SandboxEngine

/// A host directory made visible to the guest under a guest path (`--dir HOST[::GUEST]`).
public struct WASIPreopen: Sendable, Hashable {
    /// The directory on the host. It must exist when the context is created.
    public var hostPath: String
    /// The name the guest sees, e.g. `/data` or `.`.
    public var guestPath: String
    /// When true, every call that would change the directory's contents (or open a file in it
    /// for writing) fails with `EROFS` (69); reads still work.
    public var readOnly: Bool

    public init(hostPath: String, guestPath: String, readOnly: Bool = false) {
        self.hostPath = hostPath
        self.guestPath = guestPath
        self.readOnly = readOnly
    }
}

/// Where the guest's standard input comes from.
public enum WASIInput: Sendable, Hashable {
    /// No input: every read returns end-of-file at once.
    case none
    /// Read from a host file descriptor (not closed by the context). Waits for data end at the
    /// governor's deadline.
    case fileDescriptor(Int32)
    /// Read from these bytes, then end-of-file.
    case bytes([UInt8])
}

/// Everything a ``WASIContext`` gives one module: arguments, environment, directories, standard
/// streams, limits and sources of time and randomness.
public struct WASIConfiguration: Sendable {
    /// `argv`, including the program name as the first element.
    public var arguments: [String]
    /// Environment variables in the order the guest sees them.
    public var environment: [(String, String)]
    /// Directories the guest may use; they get descriptors 3, 4, ... in this order.
    public var preopens: [WASIPreopen]
    /// Standard input.
    public var stdin: WASIInput
    /// Standard output.
    public var stdout: any WASIOutputSink
    /// Standard error.
    public var stderr: any WASIOutputSink
    /// Storage quota in bytes over all preopened directories (``Limits/storageBytes``), charged
    /// as the file system spends it: block-rounded sizes plus a per-name and per-inode cost.
    public var storageQuota: UInt64
    /// At most this many files, directories and links (names) may exist under all preopened
    /// directories together; creating one more fails with `EDQUOT`. Bounds the inodes a module
    /// can use whatever its byte quota. Default ``defaultMaxStorageEntries``.
    public var maxStorageEntries: Int
    /// Maximum number of descriptors the guest may open with `path_open` at the same time
    /// (``Limits/openFiles``). Standard streams and preopened directories do not count.
    public var maxOpenFiles: Int
    /// Ends blocking waits (`poll_oneoff` sleeps, standard-input reads) at its deadline or stop.
    public var governor: ExecutionGovernor?
    /// Source of `random_get` bytes.
    public var random: any WASIRandomSource
    /// At most this many directory entries are visited when measuring the storage already used at
    /// start; a bigger tree is treated as full (every growing write fails with `EDQUOT`).
    public var storageScanLimit: Int

    public init(
        arguments: [String] = [],
        environment: [(String, String)] = [],
        preopens: [WASIPreopen] = [],
        stdin: WASIInput = .none,
        stdout: any WASIOutputSink = CapturingSink(limit: 1 << 20),
        stderr: any WASIOutputSink = CapturingSink(limit: 1 << 20),
        storageQuota: UInt64 = Limits.defaults.storageBytes,
        maxStorageEntries: Int = WASIConfiguration.defaultMaxStorageEntries,
        maxOpenFiles: Int = Limits.defaults.openFiles,
        governor: ExecutionGovernor? = nil,
        random: any WASIRandomSource = SystemRandomSource(),
        storageScanLimit: Int = 200_000
    ) {
        self.arguments = arguments
        self.environment = environment
        self.preopens = preopens
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.storageQuota = storageQuota
        self.maxStorageEntries = maxStorageEntries
        self.maxOpenFiles = maxOpenFiles
        self.governor = governor
        self.random = random
        self.storageScanLimit = storageScanLimit
    }

    /// The default of ``maxStorageEntries``: 100,000 names, below the default
    /// ``storageScanLimit`` so that a tree a module filled can still be measured at its next start.
    public static let defaultMaxStorageEntries = 100_000

    /// Takes the storage quota and descriptor cap from `limits`.
    public mutating func apply(_ limits: Limits) {
        storageQuota = limits.storageBytes
        maxOpenFiles = limits.openFiles
    }
}
