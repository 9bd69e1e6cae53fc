import Multiformats

/// Writes a CARv1 to a sink piece by piece: the header first, then one section per block.
public final class CARWriter {
    private let sink: ([UInt8]) async throws -> Void
    /// Bytes written so far.
    public private(set) var bytesWritten: UInt64 = 0

    /// Writes the header for `roots` to `sink` and returns a writer for the blocks.
    public init(roots: [CID], sink: @escaping ([UInt8]) async throws -> Void) async throws {
        self.sink = sink
        let header = CARHeader(version: 1, roots: roots).encodedCBOR()
        try await emit(ProtobufWire.lengthPrefixed(header))
    }

    /// Appends one block section: varint length, CID bytes, block bytes.
    public func write(_ block: Block) async throws {
        let cid = block.cid.bytes
        var section = Varint.encode(UInt64(cid.count + block.data.count))
        section.reserveCapacity(section.count + cid.count + block.data.count)
        section.append(contentsOf: cid)
        section.append(contentsOf: block.data)
        try await emit(section)
    }

    /// Writes the DAG under `root` from `provider` in depth-first order (the order a gateway with
    /// `dag-scope=all` uses), each block once. Identity blocks are read from their CIDs and their
    /// links followed, but they are not written (the CID already carries them).
    /// - Throws: `IPFSError.incompleteDAG` when a block is missing.
    public func writeDAG(root: CID, from provider: BlockProvider) async throws {
        var stack: [CID] = [root]
        var seen: Set<CID> = []
        while let cid = stack.popLast() {
            guard seen.insert(cid).inserted else { continue }
            guard let block = try await provider.blockOrIdentity(for: cid) else {
                throw IPFSError.incompleteDAG(root: root.description, missing: cid.description)
            }
            if cid.multihash.function != .identity { try await write(block) }
            stack.append(contentsOf: try BlockLinks.children(of: cid, data: block.data).reversed())
        }
    }

    private func emit(_ bytes: [UInt8]) async throws {
        try await sink(bytes)
        bytesWritten += UInt64(bytes.count)
    }
}
