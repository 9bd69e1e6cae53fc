import Multiformats

/// One finished subtree of a UnixFS file: its root CID, the file bytes under it and the total
/// size of all its blocks (the dag-pb link `Tsize`).
public struct UnixFSSubtree: Sendable, Equatable {
    /// The subtree's root CID.
    public var cid: CID
    /// File bytes under the subtree.
    public var fileSize: UInt64
    /// Bytes of every block in the subtree (encoded nodes plus leaves).
    public var totalSize: UInt64
}

/// Builds kubo's "balanced" UnixFS file layout from leaves streamed left to right.
///
/// All leaves sit at the same depth; every interior node has up to `maxLinks` children and only
/// the rightmost path is not full. Memory holds at most `maxLinks` pending links per level, so a
/// file of any size is built with a few KiB of state. A single leaf is its own root.
struct BalancedTreeBuilder {
    let maxLinks: Int
    let cidVersion: Int
    /// Pending links per level: level 0 holds leaves, level n nodes of height n.
    private var levels: [[UnixFSSubtree]] = [[]]

    init(maxLinks: Int, cidVersion: Int) {
        self.maxLinks = maxLinks
        self.cidVersion = cidVersion
    }

    /// Adds the next leaf (already stored by the caller); `emit` receives any interior node finished now.
    mutating func append(leaf: UnixFSSubtree, emit: (Block) throws -> Void) throws {
        try push(leaf, level: 0, emit: emit)
    }

    /// Finishes every pending node (handing each to `emit`) and returns the file's root.
    mutating func finish(emit: (Block) throws -> Void) throws -> UnixFSSubtree {
        var level = 0
        while level < levels.count - 1 {
            let node = try makeNode(levels[level], emit: emit)
            levels[level] = []
            try push(node, level: level + 1, emit: emit)
            level += 1
        }
        let top = levels[levels.count - 1]
        if levels.count == 1, top.count == 1, let only = top.first { return only }
        return try makeNode(top, emit: emit)
    }

    private mutating func push(_ child: UnixFSSubtree, level: Int, emit: (Block) throws -> Void) throws {
        if levels[level].count == maxLinks {
            let node = try makeNode(levels[level], emit: emit)
            levels[level] = []
            if levels.count == level + 1 { levels.append([]) }
            try push(node, level: level + 1, emit: emit)
        }
        levels[level].append(child)
    }

    /// Encodes an interior file node over `children` and emits it.
    private func makeNode(_ children: [UnixFSSubtree], emit: (Block) throws -> Void) throws -> UnixFSSubtree {
        let fileSize = children.reduce(0) { $0 + $1.fileSize }
        let unixfs = UnixFSData(kind: .file, fileSize: fileSize, blockSizes: children.map(\.fileSize))
        let node = DagPBNode(
            links: children.map { DagPBLink(cid: $0.cid, name: "", totalSize: $0.totalSize) },
            data: unixfs.encoded()
        )
        let bytes = node.encoded()
        let block = Block(data: bytes, codec: .dagPB, version: cidVersion)
        try emit(block)
        let totalSize = children.reduce(UInt64(bytes.count)) { $0 + $1.totalSize }
        return UnixFSSubtree(cid: block.cid, fileSize: fileSize, totalSize: totalSize)
    }
}
