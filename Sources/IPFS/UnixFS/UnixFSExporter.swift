import Foundation
import Multiformats

/// Limits that keep hostile DAGs from costing unbounded work.
public struct UnixFSExportLimits: Sendable, Equatable {
    /// Most links in one file node (kubo writes 174; a node claiming thousands is refused).
    public var maxLinksPerFileNode: Int
    /// Deepest file tree or directory nesting followed.
    public var maxDepth: Int
    /// Most entries in one directory.
    public var maxDirectoryEntries: Int
    /// Most block loads one call (`kind`, `list`, `resolve`, `read`, `export`, a gateway walk) may
    /// make, a block loaded twice counting twice. The other limits cap each node, not the tree: a
    /// DAG whose nodes link the same few blocks over and over is small to fetch and store but
    /// expands to a tree of billions of nodes (or, exported, of files), and this stops it.
    public var maxBlockLoads: Int

    /// Defaults: 1024 links per file node, depth 64, 100 000 directory entries, and
    /// `4 × maxLinksPerFileNode²` block loads (4 Mi): a tree two full levels of links wide, four
    /// times over, which is a 1 TiB file in kubo's 256 KiB chunks or forty of the widest allowed
    /// directories. A well-formed DAG loads each block about twice (its kind, then its content).
    public init(
        maxLinksPerFileNode: Int = 1024, maxDepth: Int = 64, maxDirectoryEntries: Int = 100_000,
        maxBlockLoads: Int? = nil
    ) {
        self.maxLinksPerFileNode = maxLinksPerFileNode
        self.maxDepth = maxDepth
        self.maxDirectoryEntries = maxDirectoryEntries
        let (square, overflow) = maxLinksPerFileNode.multipliedReportingOverflow(by: maxLinksPerFileNode)
        let (derived, overflow4) = square.multipliedReportingOverflow(by: 4)
        self.maxBlockLoads = maxBlockLoads ?? (overflow || overflow4 ? Int.max : derived)
    }
}

/// Reads UnixFS content back: whole files, byte ranges, directory listings and paths.
///
/// Files are streamed leaf by leaf: memory holds one block per tree level, never the file. Every
/// size a node claims is checked against what its children really hold, so a node claiming a huge
/// size or more links than allowed fails instead of being trusted. Each call loads at most
/// `limits.maxBlockLoads` blocks, so a DAG that repeats its links cannot make it run forever.
public struct UnixFSExporter: Sendable {
    /// Where blocks come from.
    public let provider: BlockProvider
    /// The limits in force.
    public let limits: UnixFSExportLimits

    /// Creates an exporter over `provider`.
    public init(provider: BlockProvider, limits: UnixFSExportLimits = UnixFSExportLimits()) {
        self.provider = provider
        self.limits = limits
    }

    // MARK: Inspecting

    /// What the node at `cid` is (file with its size, directory, symlink).
    public func kind(of cid: CID) async throws -> UnixFSNodeKind {
        try await kind(of: cid, budget: budget())
    }

    private func kind(of cid: CID, budget: BlockLoadBudget) async throws -> UnixFSNodeKind {
        let block = try await budget.load(cid, from: provider)
        if cid.contentCodec == .raw { return .file(size: UInt64(block.data.count)) }
        let (node, unixfs) = try decode(block)
        switch unixfs.kind {
        case .file, .raw:
            return .file(size: try declaredSize(node: node, unixfs: unixfs))
        case .directory:
            return .directory
        case .symlink:
            return .symlink(target: String(decoding: unixfs.data ?? [], as: UTF8.self))
        case .hamtShard:
            throw IPFSError.invalidUnixFS("HAMT-sharded directories are not supported yet")
        case .metadata:
            throw IPFSError.wrongNodeKind(expected: "file or directory", actual: "metadata node")
        }
    }

    /// The entries of the directory at `cid`, in stored order.
    public func list(_ cid: CID) async throws -> [UnixFSDirectoryEntry] {
        try await list(cid, budget: budget())
    }

    private func list(_ cid: CID, budget: BlockLoadBudget) async throws -> [UnixFSDirectoryEntry] {
        let block = try await budget.load(cid, from: provider)
        guard cid.contentCodec == .dagPB else { throw IPFSError.wrongNodeKind(expected: "directory", actual: "raw block") }
        let (node, unixfs) = try decode(block)
        switch unixfs.kind {
        case .directory: break
        case .hamtShard: throw IPFSError.invalidUnixFS("HAMT-sharded directories are not supported yet")
        default: throw IPFSError.wrongNodeKind(expected: "directory", actual: "\(unixfs.kind)")
        }
        guard node.links.count <= limits.maxDirectoryEntries else {
            throw IPFSError.tooManyLinks(count: node.links.count, limit: limits.maxDirectoryEntries)
        }
        return try node.links.map { link throws(IPFSError) in
            guard let name = link.name else { throw IPFSError.invalidUnixFS("directory link without a name") }
            return UnixFSDirectoryEntry(name: name, cid: link.cid, totalSize: link.totalSize)
        }
    }

    /// Follows `path` ("a/b/c", leading and trailing slashes ignored) from the directory at `root`.
    /// - Throws: `.pathNotFound`, `.unsafeEntryName` for "." or ".." segments, `.wrongNodeKind`.
    public func resolve(_ root: CID, path: String) async throws -> CID {
        var current = root
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard segments.count <= limits.maxDepth else { throw IPFSError.tooDeep(limit: limits.maxDepth) }
        let budget = budget()
        for segment in segments {
            try UnixFSEntryName.validate(segment)
            let entries = try await list(current, budget: budget)
            guard let match = entries.first(where: { $0.name == segment }) else {
                throw IPFSError.pathNotFound(segment)
            }
            current = match.cid
        }
        return current
    }

    // MARK: Reading files

    /// Streams the bytes of the file at `cid` (or of `range`, clamped to the file's end) to `sink`.
    /// - Throws: `.rangeNotSatisfiable` when the range starts past the end; `.invalidUnixFS`,
    ///   `.tooManyLinks`, `.tooDeep` on malformed DAGs; `.tooManyBlockLoads` on a DAG that repeats
    ///   its links past `limits.maxBlockLoads`; `.blockNotFound` when a block is missing.
    public func read(
        _ cid: CID, range: Range<UInt64>? = nil, into sink: ([UInt8]) async throws -> Void
    ) async throws {
        try await read(cid, range: range, budget: budget(), into: sink)
    }

    private func read(
        _ cid: CID, range: Range<UInt64>?, budget: BlockLoadBudget, into sink: ([UInt8]) async throws -> Void
    ) async throws {
        guard case .file(let size) = try await kind(of: cid, budget: budget) else {
            throw IPFSError.wrongNodeKind(expected: "file", actual: "directory or symlink")
        }
        var wanted = 0 ..< size
        if let range {
            guard range.lowerBound < size || (range.lowerBound == 0 && size == 0) else {
                throw IPFSError.rangeNotSatisfiable(lower: range.lowerBound, upper: range.upperBound, fileSize: size)
            }
            wanted = range.lowerBound ..< min(range.upperBound, size)
        }
        let produced = try await readNode(
            cid, start: 0, expectedSize: size, wanted: wanted, depth: 0, budget: budget, sink: sink)
        guard produced == size else {
            throw IPFSError.invalidUnixFS("file declares \(size) bytes but its blocks hold \(produced)")
        }
    }

    /// Writes the file or directory tree at `cid` to `destination`, which must not exist yet.
    /// Directory entry names are checked first: "", ".", "..", names with "/" or NUL are refused.
    /// Symlinks are skipped (never created), so export cannot write outside `destination`.
    /// The whole tree shares one budget of `limits.maxBlockLoads`, so a directory whose entries
    /// link the same subdirectory over and over stops at the limit instead of writing forever.
    public func export(_ cid: CID, to destination: URL) async throws {
        try await exportNode(cid, to: destination.path, depth: 0, budget: budget())
    }

    // MARK: Internals

    /// A fresh budget for one public call.
    private func budget() -> BlockLoadBudget { BlockLoadBudget(limit: limits.maxBlockLoads) }

    private func exportNode(_ cid: CID, to path: String, depth: Int, budget: BlockLoadBudget) async throws {
        guard depth <= limits.maxDepth else { throw IPFSError.tooDeep(limit: limits.maxDepth) }
        switch try await kind(of: cid, budget: budget) {
        case .file:
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw IPFSError.io(operation: "create", path: path, message: "cannot create file")
            }
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw IPFSError.io(operation: "open", path: path, message: "cannot open file")
            }
            defer { try? handle.close() }
            try await read(cid, range: nil, budget: budget) { piece in try handle.write(contentsOf: piece) }
        case .directory:
            let entries = try await list(cid, budget: budget)
            for entry in entries { try UnixFSEntryName.validate(entry.name) }
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            } catch {
                throw IPFSError.io(operation: "mkdir", path: path, message: "\(error)")
            }
            for entry in entries {
                try await exportNode(entry.cid, to: path + "/" + entry.name, depth: depth + 1, budget: budget)
            }
        case .symlink:
            return
        }
    }

    /// Streams the part of `wanted` that lies in this subtree; returns the bytes the subtree holds.
    private func readNode(
        _ cid: CID, start: UInt64, expectedSize: UInt64, wanted: Range<UInt64>, depth: Int,
        budget: BlockLoadBudget, sink: ([UInt8]) async throws -> Void
    ) async throws -> UInt64 {
        guard depth <= limits.maxDepth else { throw IPFSError.tooDeep(limit: limits.maxDepth) }
        let block = try await budget.load(cid, from: provider)
        if cid.contentCodec == .raw {
            try await emit(block.data, at: start, expectedSize: expectedSize, wanted: wanted, sink: sink)
            return UInt64(block.data.count)
        }
        let (node, unixfs) = try decode(block)
        guard unixfs.kind == .file || unixfs.kind == .raw else {
            throw IPFSError.invalidUnixFS("a file links to a \(unixfs.kind) node")
        }
        let size = try declaredSize(node: node, unixfs: unixfs)
        guard size == expectedSize else {
            throw IPFSError.invalidUnixFS("node holds \(size) bytes but its parent says \(expectedSize)")
        }
        let inline = unixfs.data ?? []
        try await emit(inline, at: start, expectedSize: UInt64(inline.count), wanted: wanted, sink: sink)
        // `declaredSize` checked that the sizes add up without overflow; offsets are checked
        // anyway, so no node can make this arithmetic trap.
        var offset = try Self.add(start, UInt64(inline.count))
        for (link, childSize) in zip(node.links, unixfs.blockSizes) {
            let childEnd = try Self.add(offset, childSize)
            if (offset ..< childEnd).overlaps(wanted) {
                let produced = try await readNode(
                    link.cid, start: offset, expectedSize: childSize, wanted: wanted, depth: depth + 1,
                    budget: budget, sink: sink)
                guard produced == childSize else {
                    throw IPFSError.invalidUnixFS("child holds \(produced) bytes but its parent says \(childSize)")
                }
            }
            offset = childEnd
        }
        return size
    }

    private static func add(_ a: UInt64, _ b: UInt64) throws(IPFSError) -> UInt64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw .invalidUnixFS("file offsets overflow") }
        return sum
    }

    /// The file size a node claims, after checking it against its block sizes and inline data.
    private func declaredSize(node: DagPBNode, unixfs: UnixFSData) throws(IPFSError) -> UInt64 {
        guard node.links.count <= limits.maxLinksPerFileNode else {
            throw .tooManyLinks(count: node.links.count, limit: limits.maxLinksPerFileNode)
        }
        guard unixfs.blockSizes.count == node.links.count else {
            throw .invalidUnixFS("\(node.links.count) links but \(unixfs.blockSizes.count) block sizes")
        }
        var total = UInt64(unixfs.data?.count ?? 0)
        for size in unixfs.blockSizes {
            let (sum, overflow) = total.addingReportingOverflow(size)
            guard !overflow else { throw .invalidUnixFS("block sizes overflow") }
            total = sum
        }
        if let claimed = unixfs.fileSize, claimed != total {
            throw .invalidUnixFS("node claims \(claimed) bytes but holds \(total)")
        }
        return total
    }

    private func emit(
        _ data: [UInt8], at start: UInt64, expectedSize: UInt64, wanted: Range<UInt64>,
        sink: ([UInt8]) async throws -> Void
    ) async throws {
        guard UInt64(data.count) == expectedSize else {
            throw IPFSError.invalidUnixFS("leaf holds \(data.count) bytes but its parent says \(expectedSize)")
        }
        let end = try Self.add(start, UInt64(data.count))
        let lower = max(start, wanted.lowerBound)
        let upper = min(end, wanted.upperBound)
        guard lower < upper else { return }
        if lower == start && upper == end {
            try await sink(data)
        } else {
            try await sink(Array(data[Int(lower - start) ..< Int(upper - start)]))
        }
    }

    private func decode(_ block: Block) throws(IPFSError) -> (DagPBNode, UnixFSData) {
        guard block.cid.contentCodec == .dagPB else { throw .unsupportedCodec(block.cid.contentCodec.description) }
        let node = try DagPBNode(decoding: block.data)
        guard let data = node.data else { throw .invalidUnixFS("dag-pb node without UnixFS data") }
        return (node, try UnixFSData(decoding: data))
    }
}
