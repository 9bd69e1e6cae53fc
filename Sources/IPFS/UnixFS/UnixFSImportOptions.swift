/// How files are turned into UnixFS DAGs. The defaults are kubo's: CIDv0, 256 KiB chunks, dag-pb
/// leaves, balanced layout with 174 links per node.
public struct UnixFSImportOptions: Sendable, Equatable {
    /// Bytes per leaf (1 ... 1 MiB; kubo's default is 262144).
    public var chunkSize: Int
    /// CID version of dag-pb nodes: 0 (kubo default) or 1.
    public var cidVersion: Int
    /// Store leaves as raw blocks (codec raw, always CIDv1) instead of UnixFS dag-pb nodes.
    public var rawLeaves: Bool
    /// Most links per interior file node (kubo: 174).
    public var maxLinksPerNode: Int
    /// Import files and folders whose name starts with "." (kubo skips them by default).
    public var includeHidden: Bool
    /// Pin the root for the importing module when the import completes.
    public var pin: Bool

    /// The largest chunk size accepted (kubo's limit; blocks must stay under the 2 MiB Bitswap limit).
    public static let maxChunkSize = 1 << 20

    /// kubo's defaults: CIDv0, 256 KiB chunks, dag-pb leaves.
    public static let kuboDefaults = UnixFSImportOptions()

    /// kubo's `--cid-version 1` (which turns raw leaves on).
    public static let cidV1RawLeaves = UnixFSImportOptions(cidVersion: 1, rawLeaves: true)

    /// Creates options; `rawLeaves` defaults to true for CIDv1 and false for CIDv0, as in kubo.
    public init(
        chunkSize: Int = 262_144, cidVersion: Int = 0, rawLeaves: Bool? = nil,
        maxLinksPerNode: Int = 174, includeHidden: Bool = false, pin: Bool = true
    ) {
        self.chunkSize = chunkSize
        self.cidVersion = cidVersion
        self.rawLeaves = rawLeaves ?? (cidVersion == 1)
        self.maxLinksPerNode = maxLinksPerNode
        self.includeHidden = includeHidden
        self.pin = pin
    }

    /// Throws unless every value is in range.
    public func validate() throws(IPFSError) {
        guard (1 ... Self.maxChunkSize).contains(chunkSize) else {
            throw .invalidOption("chunk size must be 1...\(Self.maxChunkSize), got \(chunkSize)")
        }
        guard cidVersion == 0 || cidVersion == 1 else {
            throw .invalidOption("CID version must be 0 or 1, got \(cidVersion)")
        }
        guard maxLinksPerNode >= 2 else {
            throw .invalidOption("max links per node must be at least 2, got \(maxLinksPerNode)")
        }
    }
}
