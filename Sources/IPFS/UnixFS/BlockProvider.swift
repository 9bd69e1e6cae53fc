import Multiformats

/// Anything that can hand out verified blocks by CID: the local store, a gateway client, Bitswap.
public protocol BlockProvider: Sendable {
    /// The block named `cid`, or nil when the provider does not have it.
    func block(for cid: CID) async throws -> Block?
}

extension BlockStore: BlockProvider {
    /// The stored block named `cid` (re-verified on read), or nil.
    public func block(for cid: CID) async throws -> Block? { try get(cid) }
}
