import Multiformats

/// What reading a CAR found.
public struct CARReport: Sendable, Equatable {
    /// The header's roots.
    public var roots: [CID] = []
    /// Sections read (duplicates included).
    public var blocks = 0
    /// Sections repeating a block already seen (accepted once, then ignored).
    public var duplicateBlocks = 0
    /// Blocks no root reaches (kept out of pins; refused when verification is strict).
    public var unreachableBlocks = 0
    /// Bytes of block data read (duplicates included).
    public var blockBytes: UInt64 = 0
}

/// How a CAR is judged.
///
/// Every block is always checked against its CID and the DAG under every root must be complete
/// (`IPFSError.incompleteCAR` otherwise); a truncated stream is `IPFSError.truncatedCAR`. Duplicate
/// sections are tolerated (each verified). Extra blocks no root reaches are tolerated and reported,
/// unless `rejectUnreachableBlocks` is set, as a gateway client should for a requested DAG.
public struct CARVerificationPolicy: Sendable, Equatable {
    /// Fail with `IPFSError.unexpectedBlockInCAR` when a block is not reachable from a root.
    public var rejectUnreachableBlocks: Bool

    /// Creates a policy (lenient by default).
    public init(rejectUnreachableBlocks: Bool = false) {
        self.rejectUnreachableBlocks = rejectUnreachableBlocks
    }
}

/// The links between the blocks of a CAR, kept as CID bytes only, to check completeness at the end.
struct CARGraph {
    /// multihash bytes -> (the CID it was seen under, children).
    private var nodes: [[UInt8]: (cid: CID, children: [CID])] = [:]

    /// Records a block; returns false when the same multihash was seen before.
    mutating func add(_ block: Block) throws(IPFSError) -> Bool {
        let key = block.cid.multihash.bytes
        guard nodes[key] == nil else { return false }
        nodes[key] = (block.cid, try BlockLinks.children(of: block.cid, data: block.data))
        return true
    }

    /// The multihashes reachable from `roots`.
    /// - Throws: `.incompleteCAR` naming the first missing block.
    func reachable(from roots: [CID]) throws(IPFSError) -> Set<[UInt8]> {
        var seen = Set<[UInt8]>()
        var stack = roots
        while let cid = stack.popLast() {
            if cid.multihash.function == .identity { continue }
            let key = cid.multihash.bytes
            guard seen.insert(key).inserted else { continue }
            guard let node = nodes[key] else { throw .incompleteCAR(missing: cid.description) }
            stack.append(contentsOf: node.children)
        }
        return seen
    }

    /// Every recorded block whose multihash is not in `reachable`.
    func unreachable(_ reachable: Set<[UInt8]>) -> [CID] {
        nodes.filter { !reachable.contains($0.key) }.map(\.value.cid)
    }

    /// The recorded CID for a multihash.
    func cid(for key: [UInt8]) -> CID? { nodes[key]?.cid }
}

/// Checks a CAR without storing it: hashes, completeness from the roots, policy on extra blocks.
public struct CARVerifier: Sendable {
    /// The policy applied.
    public let policy: CARVerificationPolicy

    /// Creates a verifier.
    public init(policy: CARVerificationPolicy = CARVerificationPolicy()) { self.policy = policy }

    /// Reads the whole CAR from `source` and verifies it; memory holds one block plus the link graph.
    public func verify(_ source: ByteSource, maxBlockSize: Int = 2 << 20) async throws -> CARReport {
        let reader = try await CARReader(source: source, maxBlockSize: maxBlockSize)
        var graph = CARGraph()
        var report = CARReport(roots: reader.header.roots)
        while let block = try await reader.next() {
            report.blocks += 1
            report.blockBytes += UInt64(block.data.count)
            if try !graph.add(block) { report.duplicateBlocks += 1 }
        }
        try finish(graph, &report)
        return report
    }

    func finish(_ graph: CARGraph, _ report: inout CARReport) throws(IPFSError) {
        let reachable = try graph.reachable(from: report.roots)
        let extra = graph.unreachable(reachable)
        report.unreachableBlocks = extra.count
        if policy.rejectUnreachableBlocks, let first = extra.first {
            throw .unexpectedBlockInCAR(cid: first.description)
        }
    }
}

/// Imports a CAR into a block store for a module: every block verified and stored, the DAG under
/// each root checked complete, then the roots pinned. On a failure before the pins nothing is
/// pinned, and the blocks it stored that nothing else holds are deleted (`BlockStore.abandon`).
public struct CARImporter: Sendable {
    /// The policy applied.
    public let policy: CARVerificationPolicy
    /// Pin each root for the module when the import succeeds.
    public let pinRoots: Bool

    /// Creates an importer.
    public init(policy: CARVerificationPolicy = CARVerificationPolicy(), pinRoots: Bool = true) {
        self.policy = policy
        self.pinRoots = pinRoots
    }

    /// Reads, verifies and stores the CAR in `source`.
    public func importCAR(from source: ByteSource, into store: BlockStore, module: String) async throws -> CARReport {
        let reader = try await CARReader(source: source, maxBlockSize: store.configuration.maxBlockSize)
        var graph = CARGraph()
        var report = CARReport(roots: reader.header.roots)
        var held: [CID] = []
        var sizes: [[UInt8]: Int64] = [:]
        do {
            while let block = try await reader.next() {
                report.blocks += 1
                report.blockBytes += UInt64(block.data.count)
                guard try graph.add(block) else {
                    report.duplicateBlocks += 1
                    continue
                }
                try store.put(block, module: module, deferDirectorySync: true)
                held.append(block.cid)
                sizes[block.cid.multihash.bytes] = Int64(block.data.count)
            }
            try CARVerifier(policy: policy).finish(graph, &report)
            if pinRoots {
                for root in report.roots where root.multihash.function != .identity {
                    let reachable = try graph.reachable(from: [root])
                    let entries = reachable.compactMap { key -> PinIndex.DAGEntry? in
                        guard let size = sizes[key] else { return nil }
                        return PinIndex.DAGEntry(key: Base16.encode(key), size: size)
                    }
                    try store.pinImported(root, entries: entries, module: module)
                }
            }
        } catch {
            // Roots pinned before the failure keep their blocks; everything else goes.
            store.abandon(held, module: module)
            throw error
        }
        for cid in held { store.release(cid, module: module) }
        return report
    }
}
