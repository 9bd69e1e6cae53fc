import Foundation
import Multiformats

/// What an import produced.
public struct UnixFSImportResult: Sendable, Equatable {
    /// The root CID (of the file or directory).
    public var root: CID
    /// File bytes imported (sum over all files for a directory).
    public var fileSize: UInt64
    /// Bytes of all blocks in the DAG (the root's `Tsize`).
    public var dagSize: UInt64
    /// Blocks written (including duplicates that were already present).
    public var blockCount: Int
}

/// Turns files, folders and byte streams into UnixFS DAGs, storing every block as it is made.
///
/// Memory is bounded by one chunk plus `maxLinksPerNode` links per tree level, whatever the input size.
/// Into a `BlockStore`, the import holds its blocks for the module while it runs and pins the root at
/// the end (if `options.pin`); if anything fails, e.g. the quota is reached halfway, the import
/// pins nothing and deletes every block it wrote that nothing else holds (`BlockStore.abandon`),
/// so the store is left as it was.
public struct UnixFSImporter: Sendable {
    /// The options in force.
    public let options: UnixFSImportOptions

    /// Creates an importer.
    /// - Throws: `IPFSError.invalidOption` when the options are out of range.
    public init(options: UnixFSImportOptions = .kuboDefaults) throws(IPFSError) {
        try options.validate()
        self.options = options
    }

    // MARK: Into a block store

    /// Imports a file or directory at `url` into `store` for `module`.
    public func importPath(at url: URL, into store: BlockStore, module: String) async throws -> UnixFSImportResult {
        let session = StoreSession(store: store, module: module)
        do {
            let result = try await importPath(url.path, sink: session.put)
            if options.pin { try store.pinImported(result.root, entries: session.entries, module: module) }
            session.releaseAll()
            return result
        } catch {
            session.abandonAll()
            throw error
        }
    }

    /// Imports a byte stream as one UnixFS file into `store` for `module`.
    public func importStream(_ source: ByteSource, into store: BlockStore, module: String) async throws -> UnixFSImportResult {
        let session = StoreSession(store: store, module: module)
        do {
            let subtree = try await importFile(source, sink: session.put)
            let result = UnixFSImportResult(
                root: subtree.cid, fileSize: subtree.fileSize, dagSize: subtree.totalSize,
                blockCount: session.blockCount)
            if options.pin { try store.pinImported(result.root, entries: session.entries, module: module) }
            session.releaseAll()
            return result
        } catch {
            session.abandonAll()
            throw error
        }
    }

    // MARK: Into any sink

    /// Imports a file or directory at `path`, handing every block to `sink` (nothing is stored
    /// unless the sink stores it; a sink that drops blocks computes the CID only).
    public func importPath(_ path: String, sink: @escaping (Block) throws -> Void) async throws -> UnixFSImportResult {
        var count = 0
        let counting: (Block) throws -> Void = { block in
            try sink(block)
            count += 1
        }
        let subtree = try await importEntry(path, sink: counting)
        return UnixFSImportResult(root: subtree.cid, fileSize: subtree.fileSize, dagSize: subtree.totalSize, blockCount: count)
    }

    /// Imports one byte stream as a UnixFS file, handing every block to `sink`.
    public func importFile(_ source: ByteSource, sink: @escaping (Block) throws -> Void) async throws -> UnixFSSubtree {
        var chunker = try FixedSizeChunker(source: source, chunkSize: options.chunkSize)
        var builder = BalancedTreeBuilder(maxLinks: options.maxLinksPerNode, cidVersion: options.cidVersion)
        while let chunk = try await chunker.next() {
            let leaf = makeLeaf(chunk)
            try sink(leaf.block)
            try builder.append(leaf: leaf.subtree, emit: sink)
        }
        return try builder.finish(emit: sink)
    }

    // MARK: Pieces

    private func importEntry(_ path: String, sink: @escaping (Block) throws -> Void) async throws -> UnixFSSubtree {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw IPFSError.io(operation: "stat", path: path, message: "\(error)")
        }
        switch attributes[.type] as? FileAttributeType {
        case .typeRegular?:
            return try await importFile(FileByteSource(path: path), sink: sink)
        case .typeDirectory?:
            return try await importDirectory(path, sink: sink)
        default:
            throw IPFSError.unsupportedFileType(path: path)
        }
    }

    private func importDirectory(_ path: String, sink: @escaping (Block) throws -> Void) async throws -> UnixFSSubtree {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw IPFSError.io(operation: "list directory", path: path, message: "\(error)")
        }
        var links: [DagPBLink] = []
        var fileSize: UInt64 = 0
        var totalSize: UInt64 = 0
        for name in names.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            if !options.includeHidden && name.hasPrefix(".") { continue }
            let child = try await importEntry(path + "/" + name, sink: sink)
            links.append(DagPBLink(cid: child.cid, name: name, totalSize: child.totalSize))
            fileSize += child.fileSize
            totalSize += child.totalSize
        }
        let node = DagPBNode(links: links, data: UnixFSData(kind: .directory).encoded())
        let bytes = node.encoded()
        let block = Block(data: bytes, codec: .dagPB, version: options.cidVersion)
        try sink(block)
        return UnixFSSubtree(cid: block.cid, fileSize: fileSize, totalSize: totalSize + UInt64(bytes.count))
    }

    private func makeLeaf(_ chunk: [UInt8]) -> (block: Block, subtree: UnixFSSubtree) {
        let size = UInt64(chunk.count)
        if options.rawLeaves {
            let block = Block(data: chunk, codec: .raw, version: 1)
            return (block, UnixFSSubtree(cid: block.cid, fileSize: size, totalSize: size))
        }
        let unixfs = UnixFSData(kind: .file, data: chunk.isEmpty ? nil : chunk, fileSize: size)
        let bytes = DagPBNode(links: [], data: unixfs.encoded()).encoded()
        let block = Block(data: bytes, codec: .dagPB, version: options.cidVersion)
        return (block, UnixFSSubtree(cid: block.cid, fileSize: size, totalSize: UInt64(bytes.count)))
    }
}

/// The blocks one import has put into a store for a module, so they can be pinned or released.
private final class StoreSession: @unchecked Sendable {
    let store: BlockStore
    let module: String
    private(set) var entries: [PinIndex.DAGEntry] = []
    private var listed: Set<String> = []
    private var cids: [CID] = []

    init(store: BlockStore, module: String) {
        self.store = store
        self.module = module
    }

    func put(_ block: Block) throws {
        try store.put(block, module: module, deferDirectorySync: true)
        cids.append(block.cid)
        let key = BlockFileLayout.key(of: block.cid)
        if listed.insert(key).inserted {
            entries.append(PinIndex.DAGEntry(key: key, size: Int64(block.data.count)))
        }
    }

    var blockCount: Int { cids.count }

    func releaseAll() {
        for cid in cids { store.release(cid, module: module) }
        cids.removeAll()
    }

    /// Releases every hold and deletes the blocks nothing else holds (the import failed).
    func abandonAll() {
        store.abandon(cids, module: module)
        cids.removeAll()
    }
}
