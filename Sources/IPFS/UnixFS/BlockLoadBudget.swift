import Multiformats

/// Counts the blocks one export or walk loads, repeats included, and refuses the load past the
/// limit.
///
/// Depth and links-per-node limits do not bound the work of a DAG whose nodes link the same few
/// blocks over and over: 1024 links to one node that has 1024 links to one leaf is three blocks
/// and a million leaf loads, and each level more multiplies by 1024. Counting loads does.
/// One budget serves one call, which runs sequentially in one task.
final class BlockLoadBudget {
    let limit: Int
    private(set) var loads = 0

    init(limit: Int) {
        self.limit = limit
    }

    /// The block named `cid` from `provider` (identity CIDs from the CID itself), counted.
    /// - Throws: `.tooManyBlockLoads` past the limit, `.blockNotFound` when the block is missing.
    func load(_ cid: CID, from provider: BlockProvider) async throws -> Block {
        guard loads < limit else { throw IPFSError.tooManyBlockLoads(limit: limit) }
        loads += 1
        guard let block = try await provider.blockOrIdentity(for: cid) else {
            throw IPFSError.blockNotFound(cid: cid.description)
        }
        return block
    }
}
