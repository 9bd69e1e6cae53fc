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

extension BlockProvider {
    /// The block named `cid`, read from the CID itself when it is an identity CID (so no provider
    /// has to know about them), otherwise asked of the provider.
    public func blockOrIdentity(for cid: CID) async throws -> Block? {
        if let inline = Block.inline(cid) { return inline }
        return try await block(for: cid)
    }
}
