import Multiformats

/// A block: bytes together with the CID that names them.
///
/// A `Block` always holds bytes that hash to its CID: the only ways to make one are to hash the
/// bytes (`init(data:codec:version:)`) or to check them against a given CID (`init(cid:data:)`).
/// That invariant is why `BlockStore.put` can trust a block without hashing it again.
public struct Block: Sendable, Equatable {
    /// The content identifier.
    public let cid: CID
    /// The block's bytes.
    public let data: [UInt8]

    /// Checks `data` against `cid` and wraps them.
    /// - Throws: `IPFSError.hashMismatch` when the bytes do not hash to the CID's multihash,
    ///   `.unsupportedHashFunction` when the hash function cannot be checked.
    public init(cid: CID, data: [UInt8]) throws(IPFSError) {
        try Self.verify(cid: cid, data: data[...])
        self.cid = cid
        self.data = data
    }

    /// Hashes `data` with SHA-256 and names it with a CID of the given codec and version.
    ///
    /// Version 0 is only possible for dag-pb; any other codec silently gets version 1.
    public init(data: [UInt8], codec: Multicodec, version: Int) {
        self.cid = Self.cid(for: data[...], codec: codec, version: version)
        self.data = data
    }

    /// The SHA-256 CID of `data` with the given codec and version (v0 only for dag-pb).
    public static func cid(for data: ArraySlice<UInt8>, codec: Multicodec, version: Int) -> CID {
        let multihash = Multihash.sha256(data)
        if version == 0, codec == .dagPB, let v0 = try? CID.v0(multihash) {
            return v0
        }
        return CID.v1(codec: codec, multihash: multihash)
    }

    /// Throws unless `data` hashes to `cid`'s multihash.
    public static func verify(cid: CID, data: ArraySlice<UInt8>) throws(IPFSError) {
        let multihash = cid.multihash
        switch multihash.function {
        case .identity, .sha2_256, .sha2_512:
            guard multihash.verifies(data) else { throw .hashMismatch(cid: cid.description) }
        default:
            throw .unsupportedHashFunction(cid: cid.description)
        }
    }

    /// The block an identity CID names, or nil for any other hash function.
    ///
    /// An identity multihash carries the block's bytes as its digest, so such a block is read from
    /// the CID itself: it is never stored, fetched or sent (every read path answers it this way).
    public static func inline(_ cid: CID) -> Block? {
        guard cid.multihash.function == .identity else { return nil }
        return Block(trusted: cid, data: cid.multihash.digest)
    }

    /// Wraps bytes already known to match `cid` (hashed by the caller in this process).
    init(trusted cid: CID, data: [UInt8]) {
        self.cid = cid
        self.data = data
    }
}
