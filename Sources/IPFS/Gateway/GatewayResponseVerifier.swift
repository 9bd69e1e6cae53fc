import Multiformats

/// Checks a trustless gateway CAR response against the request that asked for it (the client
/// side of the gateway), storing the verified blocks for a module.
///
/// Every block is hashed as it arrives; the CAR's root must be the requested CID; after the last
/// block, the walk the request selects (path, scope, entity-bytes) must find every block it needs
/// (`incompleteCAR` otherwise) and the CAR must carry nothing else (`unexpectedBlockInCAR`).
/// On any failure the blocks stored so far that nothing else holds are deleted (`BlockStore.abandon`).
public struct GatewayResponseVerifier: Sendable {
    /// Limits for hostile DAGs.
    public let limits: UnixFSExportLimits

    /// Creates a verifier.
    public init(limits: UnixFSExportLimits = UnixFSExportLimits()) { self.limits = limits }

    /// Reads the CAR body in `source`, verifies it for `request`, and stores its blocks in `store`
    /// for `module`. The caller releases the returned CIDs (or pins something) when done.
    /// - Returns: the CIDs stored, which the module now holds.
    public func verifyCAR(
        _ source: ByteSource, for request: GatewayRequest, into store: BlockStore, module: String
    ) async throws -> [CID] {
        let reader = try await CARReader(source: source, maxBlockSize: store.configuration.maxBlockSize)
        guard reader.header.roots.contains(request.root) else {
            throw IPFSError.invalidCARHeader("CAR roots do not include the requested CID \(request.root)")
        }
        var held: [CID] = []
        do {
            var received = Set<[UInt8]>()
            while let block = try await reader.next() {
                // Identity blocks are read from their CIDs; a gateway must not send them, and one
                // that does is not trusted for them (they are neither stored nor counted).
                if block.cid.multihash.function == .identity { continue }
                let key = block.cid.multihash.bytes
                guard received.insert(key).inserted else { continue }
                try store.put(block, module: module)
                held.append(block.cid)
            }
            var needed = Set<[UInt8]>()
            let only = ReceivedBlocks(store: store, received: received)
            do {
                try await ScopedDAGWalker(provider: only, limits: limits).walk(request) { block in
                    needed.insert(block.cid.multihash.bytes)
                }
            } catch IPFSError.blockNotFound(let cid) {
                throw IPFSError.incompleteCAR(missing: cid)
            }
            if let extra = held.first(where: { !needed.contains($0.multihash.bytes) }) {
                throw IPFSError.unexpectedBlockInCAR(cid: extra.description)
            }
            return held
        } catch {
            store.abandon(held, module: module)
            throw error
        }
    }

    /// Checks a `format=raw` body: the bytes must hash to the requested CID (no path allowed).
    public func verifyRaw(_ bytes: [UInt8], for request: GatewayRequest) throws(IPFSError) -> Block {
        guard request.path.isEmpty else { throw .invalidOption("a raw block fetched through a path cannot be verified") }
        return try Block(cid: request.root, data: bytes)
    }
}

/// Serves only the blocks a response carried, so a walk cannot be satisfied by older local blocks.
private struct ReceivedBlocks: BlockProvider {
    let store: BlockStore
    let received: Set<[UInt8]>

    func block(for cid: CID) async throws -> Block? {
        if let inline = Block.inline(cid) { return inline }
        guard received.contains(cid.multihash.bytes) else { return nil }
        return try store.get(cid)
    }
}
