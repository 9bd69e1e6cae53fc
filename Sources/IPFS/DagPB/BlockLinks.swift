import Multiformats

/// Finds the children of a block, for DAG walks (pinning, CAR verification, CAR export).
public enum BlockLinks {
    /// The CIDs a block links to: none for raw and identity blocks, the links of a dag-pb node.
    ///
    /// Other codecs (dag-cbor, dag-json...) are treated as leaves: their links are not followed.
    /// - Throws: `IPFSError.invalidDagPB` when a dag-pb block does not decode.
    public static func children(of cid: CID, data: [UInt8]) throws(IPFSError) -> [CID] {
        guard cid.contentCodec == .dagPB else { return [] }
        return try DagPBNode(decoding: data).links.map(\.cid)
    }
}

/// Walks a DAG depth-first from a root, visiting each block once, in the order a CAR with
/// `dag-scope=all` lists them (parent before children, children in link order).
struct DAGWalker {
    /// Loads a block's bytes, or returns nil when it is missing.
    let load: (CID) throws -> [UInt8]?

    /// Visits every block reachable from `root`.
    /// - Throws: `IPFSError.incompleteDAG` when a block is missing, or what `visit`/`load` throw.
    func walk(from root: CID, visit: (CID, [UInt8]) throws -> Void) throws {
        var stack: [CID] = [root]
        var seen: Set<[UInt8]> = []
        while let cid = stack.popLast() {
            let key = cid.bytes
            guard seen.insert(key).inserted else { continue }
            guard let data = try load(cid) else {
                throw IPFSError.incompleteDAG(root: root.description, missing: cid.description)
            }
            try visit(cid, data)
            stack.append(contentsOf: try BlockLinks.children(of: cid, data: data).reversed())
        }
    }
}
