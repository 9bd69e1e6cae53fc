import Foundation

/// A content identifier (github.com/multiformats/cid): version, content codec and multihash.
///
/// - CIDv0 is a bare sha2-256 multihash of dag-pb content; its text form is base58btc
///   with no multibase prefix ("Qm…").
/// - CIDv1 is `varint(1) varint(codec) multihash`; its default text form is lower-case
///   base32 with the 'b' prefix ("bafy…").
///
/// Two CIDs are equal only if version, codec and multihash all match, so a CIDv0 and its
/// `toV1()` form are different values (compare `toV1()` forms to ignore the version).
public struct CID: Hashable, Sendable, CustomStringConvertible {
    /// The CID versions that exist.
    public enum Version: Int, Sendable, Comparable {
        /// The legacy form: a bare sha2-256 multihash, implying dag-pb.
        case v0 = 0
        /// The self-describing form.
        case v1 = 1

        /// Orders v0 before v1.
        public static func < (lhs: Version, rhs: Version) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The longest CID text `init(_:)` accepts, which bounds the (quadratic) base58 work
    /// on hostile input. Inline identity CIDs up to `Multihash.maxDigestLength` fit.
    public static let maxStringLength = 8192

    /// The CID version.
    public let version: Version
    /// The content codec (a multicodec code such as 0x70 dag-pb or 0x55 raw).
    public let codec: UInt64
    /// The hash of the content.
    public let multihash: Multihash

    /// Creates a CID, checking the CIDv0 rules (dag-pb codec, sha2-256 with a 32-byte digest).
    public init(version: Version, codec: UInt64, multihash: Multihash) throws(MultiformatsError) {
        if version == .v0 {
            guard codec == Multicodec.dagPB.rawValue else { throw .cidV0RequiresDagPB(codec: codec) }
            guard multihash.code == Multicodec.sha2_256.rawValue, multihash.digest.count == 32 else {
                throw .cidV0RequiresSHA256
            }
        }
        self.version = version
        self.codec = codec
        self.multihash = multihash
    }

    /// A CIDv0 for a sha2-256 multihash of dag-pb content.
    /// - Throws: `MultiformatsError.cidV0RequiresSHA256` for any other multihash.
    public static func v0(_ multihash: Multihash) throws(MultiformatsError) -> CID {
        try CID(version: .v0, codec: Multicodec.dagPB.rawValue, multihash: multihash)
    }

    /// A CIDv1 with the given content codec.
    public static func v1(codec: UInt64, multihash: Multihash) -> CID {
        CID(unchecked: .v1, codec: codec, multihash: multihash)
    }

    /// A CIDv1 with the given content codec.
    public static func v1(codec: Multicodec, multihash: Multihash) -> CID {
        v1(codec: codec.rawValue, multihash: multihash)
    }

    /// The CIDv1 of `data` hashed with sha2-256, e.g. `CID.sha256(block, codec: .raw)`.
    public static func sha256(_ data: some DataProtocol, codec: Multicodec) -> CID {
        v1(codec: codec, multihash: .sha256(data))
    }

    /// The content codec as a `Multicodec`.
    public var contentCodec: Multicodec { Multicodec(rawValue: codec) }

    /// This CID as version 1 (itself if it already is).
    public func toV1() -> CID {
        CID(unchecked: .v1, codec: codec, multihash: multihash)
    }

    // MARK: Binary form

    /// Decodes a binary CID that must span all of `bytes` (a CIDv0 is a bare 34-byte multihash).
    public init(bytes: some Collection<UInt8>) throws(MultiformatsError) {
        let array = Array(bytes)
        let (cid, length) = try Self.decodePrefix(from: array[...])
        guard length == array.count else { throw .trailingBytes(array.count - length) }
        self = cid
    }

    /// Reads a binary CID at the start of `bytes` (as in CAR files and dag-pb links) and
    /// returns it with the number of bytes it used. The slice may have a non-zero start index.
    public static func decodePrefix(from bytes: ArraySlice<UInt8>) throws(MultiformatsError) -> (CID, length: Int) {
        // A CIDv0 starts with the sha2-256 multihash header 0x12 0x20.
        if bytes.count >= 2, bytes[bytes.startIndex] == 0x12, bytes[bytes.startIndex + 1] == 0x20 {
            let (multihash, length) = try Multihash.decodePrefix(from: bytes)
            return (try .v0(multihash), length)
        }
        let version: (value: UInt64, length: Int)
        do throws(MultiformatsError) {
            version = try Varint.decode(bytes)
        } catch .varintTruncated {
            throw .cidTruncated
        }
        guard version.value == 1 else { throw .cidUnsupportedVersion(version.value) }
        let afterVersion = bytes.dropFirst(version.length)
        let codec: (value: UInt64, length: Int)
        do throws(MultiformatsError) {
            codec = try Varint.decode(afterVersion)
        } catch .varintTruncated {
            throw .cidTruncated
        }
        let (multihash, multihashLength) = try Multihash.decodePrefix(from: afterVersion.dropFirst(codec.length))
        return (v1(codec: codec.value, multihash: multihash), version.length + codec.length + multihashLength)
    }

    /// The binary form: the bare multihash for v0, `varint(1) varint(codec) multihash` for v1.
    public var bytes: [UInt8] {
        switch version {
        case .v0:
            return multihash.bytes
        case .v1:
            var result = Varint.encode(1)
            Varint.encode(codec, into: &result)
            result.append(contentsOf: multihash.bytes)
            return result
        }
    }

    // MARK: Text form

    /// Parses a CID string: a 46-character "Qm…" CIDv0, or a multibase-prefixed CIDv1 in any
    /// supported base.
    /// - Throws: a `MultiformatsError` for anything else, including multibase-encoded CIDv0 bytes.
    public init(_ string: some StringProtocol) throws(MultiformatsError) {
        guard string.utf8.count <= Self.maxStringLength else { throw .cidBadString(String(string.prefix(100))) }
        if string.utf8.count == 46, string.hasPrefix("Qm") {
            let bytes = try Base58.decode(string)
            let (multihash, length) = try Multihash.decodePrefix(from: bytes[...])
            guard length == bytes.count else { throw .trailingBytes(bytes.count - length) }
            self = try .v0(multihash)
            return
        }
        let (_, bytes) = try Multibase.decode(string)
        // The spec forbids multibase-encoded CIDv0 (there will never be a CIDv18).
        guard let first = bytes.first, first != 0x12 else { throw .cidBadString(String(string)) }
        self = try CID(bytes: bytes)
    }

    /// The canonical text: base58btc "Qm…" for v0, base32 "b…" for v1.
    public var description: String {
        switch version {
        case .v0: return Base58.encode(multihash.bytes)
        case .v1: return Multibase.encode(bytes, as: .base32)
        }
    }

    /// The text form in `base`.
    ///
    /// A CIDv0 can only be written in base58btc (giving "Qm…"); asked for any other base, a
    /// CIDv0 is written as its `toV1()` form, which is what gateways and DNS labels need.
    public func string(base: Multibase) -> String {
        switch version {
        case .v0 where base == .base58btc: return description
        case .v0: return toV1().string(base: base)
        case .v1: return Multibase.encode(bytes, as: base)
        }
    }

    private init(unchecked version: Version, codec: UInt64, multihash: Multihash) {
        self.version = version
        self.codec = codec
        self.multihash = multihash
    }
}
