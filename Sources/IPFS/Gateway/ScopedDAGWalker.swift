import Multiformats

/// Visits, in depth-first order, exactly the blocks a trustless-gateway CAR response must carry:
/// the directory nodes along the path, then the blocks the scope selects under the path's end.
///
/// The same walk serves the server (which writes what it visits) and the client (which checks that
/// the blocks it received are exactly the ones visited), so both sides agree by construction.
///
/// Identity blocks are read from their CIDs and followed, but never visited: the trustless gateway
/// spec forbids them in CAR responses. Every size and offset taken from a node is checked for
/// overflow, so a hostile node fails with `.invalidUnixFS` instead of trapping.
public struct ScopedDAGWalker: Sendable {
    /// Where blocks come from.
    public let provider: BlockProvider
    /// Limits for hostile DAGs (links per node, depth).
    public let limits: UnixFSExportLimits

    /// Creates a walker.
    public init(provider: BlockProvider, limits: UnixFSExportLimits = UnixFSExportLimits()) {
        self.provider = provider
        self.limits = limits
    }

    /// Walks the blocks `request` selects, handing each to `visit` once, in response order.
    /// - Throws: `.blockNotFound` when a needed block is missing, `.pathNotFound`, `.invalidUnixFS`,
    ///   `.tooManyBlockLoads` when a file's nodes repeat their links past `limits.maxBlockLoads`
    ///   (a repeated child is visited once but must be walked again for its part of the range).
    public func walk(_ request: GatewayRequest, visit: (Block) async throws -> Void) async throws {
        var seen = Set<CID>()
        let budget = BlockLoadBudget(limit: limits.maxBlockLoads)
        var current = try await budget.load(request.root, from: provider)
        try await emitOnce(current, &seen, visit)
        for segment in request.path {
            let entries = try await UnixFSExporter(provider: provider, limits: limits).list(current.cid)
            guard let match = entries.first(where: { $0.name == segment }) else { throw IPFSError.pathNotFound(segment) }
            current = try await budget.load(match.cid, from: provider)
            try await emitOnce(current, &seen, visit)
        }
        switch request.scope {
        case .block:
            return
        case .all:
            try await walkAll(current, &seen, depth: 0, budget, visit)
        case .entity:
            try await walkEntity(current, request.entityBytes, &seen, budget, visit)
        }
    }

    private func walkAll(
        _ block: Block, _ seen: inout Set<CID>, depth: Int, _ budget: BlockLoadBudget, _ visit: (Block) async throws -> Void
    ) async throws {
        guard depth <= limits.maxDepth else { throw IPFSError.tooDeep(limit: limits.maxDepth) }
        for child in try BlockLinks.children(of: block.cid, data: block.data) where !seen.contains(child) {
            let next = try await budget.load(child, from: provider)
            try await emitOnce(next, &seen, visit)
            try await walkAll(next, &seen, depth: depth + 1, budget, visit)
        }
    }

    private func walkEntity(
        _ block: Block, _ bytes: EntityBytes?, _ seen: inout Set<CID>, _ budget: BlockLoadBudget,
        _ visit: (Block) async throws -> Void
    ) async throws {
        guard block.cid.contentCodec == .dagPB else { return }  // a raw block is the whole entity
        let node = try DagPBNode(decoding: block.data)
        guard let data = node.data else { throw IPFSError.invalidUnixFS("dag-pb node without UnixFS data") }
        let unixfs = try UnixFSData(decoding: data)
        guard unixfs.kind == .file || unixfs.kind == .raw else { return }  // a directory's entity is its node
        let size = try unixfs.fileSize ?? Self.sum(unixfs)
        let wanted = bytes?.resolved(fileSize: size) ?? 0 ..< size
        try await walkFileRange(block, wanted: wanted, start: 0, &seen, depth: 0, budget, visit)
    }

    /// Visits the children of a file node whose bytes overlap `wanted` (the node itself was visited).
    private func walkFileRange(
        _ block: Block, wanted: Range<UInt64>, start: UInt64, _ seen: inout Set<CID>, depth: Int,
        _ budget: BlockLoadBudget, _ visit: (Block) async throws -> Void
    ) async throws {
        guard depth <= limits.maxDepth else { throw IPFSError.tooDeep(limit: limits.maxDepth) }
        guard block.cid.contentCodec == .dagPB, !wanted.isEmpty else { return }
        let node = try DagPBNode(decoding: block.data)
        guard let data = node.data else { throw IPFSError.invalidUnixFS("dag-pb node without UnixFS data") }
        let unixfs = try UnixFSData(decoding: data)
        guard node.links.count <= limits.maxLinksPerFileNode else {
            throw IPFSError.tooManyLinks(count: node.links.count, limit: limits.maxLinksPerFileNode)
        }
        guard unixfs.blockSizes.count == node.links.count else {
            throw IPFSError.invalidUnixFS("\(node.links.count) links but \(unixfs.blockSizes.count) block sizes")
        }
        let (first, overflow) = start.addingReportingOverflow(UInt64(unixfs.data?.count ?? 0))
        guard !overflow else { throw IPFSError.invalidUnixFS("file offsets overflow") }
        var offset = first
        for (link, size) in zip(node.links, unixfs.blockSizes) {
            let (end, overflow) = offset.addingReportingOverflow(size)
            guard !overflow else { throw IPFSError.invalidUnixFS("block sizes overflow") }
            if (offset ..< end).overlaps(wanted) {
                let child = try await budget.load(link.cid, from: provider)
                try await emitOnce(child, &seen, visit)
                try await walkFileRange(child, wanted: wanted, start: offset, &seen, depth: depth + 1, budget, visit)
            }
            offset = end
        }
    }

    private func emitOnce(_ block: Block, _ seen: inout Set<CID>, _ visit: (Block) async throws -> Void) async throws {
        guard seen.insert(block.cid).inserted, block.cid.multihash.function != .identity else { return }
        try await visit(block)
    }

    /// The file bytes a node holds: inline data plus its block sizes.
    private static func sum(_ unixfs: UnixFSData) throws(IPFSError) -> UInt64 {
        var total = UInt64(unixfs.data?.count ?? 0)
        for size in unixfs.blockSizes {
            let (next, overflow) = total.addingReportingOverflow(size)
            guard !overflow else { throw .invalidUnixFS("block sizes overflow") }
            total = next
        }
        return total
    }
}
