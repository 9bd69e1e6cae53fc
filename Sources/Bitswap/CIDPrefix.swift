import IPFS
import Multiformats

/// The metadata of a CID without its digest, as Bitswap 1.1.0+ sends it in front of each block:
/// `varint(version) varint(codec) varint(hash function) varint(digest length)`.
public struct CIDPrefix: Sendable, Equatable {
    /// CID version (0 or 1).
    public var version: CID.Version
    /// Content codec.
    public var codec: UInt64
    /// Multihash function code.
    public var hashFunction: UInt64
    /// Digest length in bytes.
    public var digestLength: Int

    /// Creates a prefix.
    public init(version: CID.Version, codec: UInt64, hashFunction: UInt64, digestLength: Int) {
        self.version = version
        self.codec = codec
        self.hashFunction = hashFunction
        self.digestLength = digestLength
    }

    /// The prefix of an existing CID.
    public init(of cid: CID) {
        self.init(version: cid.version, codec: cid.codec, hashFunction: cid.multihash.code, digestLength: cid.multihash.digest.count)
    }

    /// Decodes a prefix; the four varints must span all of `bytes`.
    public init(bytes: ArraySlice<UInt8>) throws(BitswapError) {
        var rest = bytes
        func next() throws(BitswapError) -> UInt64 {
            do {
                let (value, length) = try Varint.decode(rest)
                rest = rest.dropFirst(length)
                return value
            } catch {
                throw .invalidCID("block prefix: \(error)")
            }
        }
        let version = try next()
        let codec = try next()
        let hashFunction = try next()
        let digestLength = try next()
        guard rest.isEmpty else { throw .invalidCID("block prefix has \(rest.count) trailing bytes") }
        guard let parsedVersion = CID.Version(rawValue: Int(clamping: version)) else {
            throw .invalidCID("block prefix has unsupported CID version \(version)")
        }
        guard digestLength <= UInt64(Multihash.maxDigestLength) else {
            throw .invalidCID("block prefix digest length \(digestLength) is too long")
        }
        self.init(version: parsedVersion, codec: codec, hashFunction: hashFunction, digestLength: Int(digestLength))
    }

    /// The binary form.
    public var bytes: [UInt8] {
        var result = Varint.encode(UInt64(version.rawValue))
        Varint.encode(codec, into: &result)
        Varint.encode(hashFunction, into: &result)
        Varint.encode(UInt64(digestLength), into: &result)
        return result
    }

    /// Hashes `data` and names it with this prefix.
    /// - Throws: `.unsupportedBlockPrefix` for hash functions other than sha2-256 / sha2-512 or a
    ///   digest length that is not the function's full length; `.invalidCID` for an impossible
    ///   CIDv0 prefix.
    public func cid(for data: [UInt8]) throws(BitswapError) -> CID {
        let multihash: Multihash
        switch Multicodec(rawValue: hashFunction) {
        case .sha2_256 where digestLength == 32:
            multihash = .sha256(data)
        case .sha2_512 where digestLength == 64:
            multihash = .sha512(data)
        default:
            throw .unsupportedBlockPrefix("hash function 0x\(String(hashFunction, radix: 16)) with \(digestLength)-byte digest")
        }
        do {
            return try CID(version: version, codec: codec, multihash: multihash)
        } catch {
            throw .invalidCID("block prefix: \(error)")
        }
    }
}
