import Crypto
import Foundation

/// A self-describing hash: hash-function code, digest length and digest
/// (github.com/multiformats/multihash).
public struct Multihash: Hashable, Sendable, CustomStringConvertible {
    /// The largest digest this type accepts when decoding, to bound memory on hostile input.
    /// Identity multihashes used for inline CIDs and peer IDs stay far below it.
    public static let maxDigestLength = 4096

    /// The hash-function multicodec code (e.g. 0x12 for sha2-256).
    public let code: UInt64
    /// The digest bytes.
    public let digest: [UInt8]

    /// Creates a multihash from a code and a digest, checking the digest length for known functions.
    /// - Throws: `MultiformatsError.multihashWrongDigestLength` if e.g. a sha2-256 digest is not 32 bytes.
    public init(code: UInt64, digest: [UInt8]) throws(MultiformatsError) {
        if let expected = Self.fixedDigestLength(code: code), digest.count != expected {
            throw .multihashWrongDigestLength(code: code, expected: expected, actual: digest.count)
        }
        if digest.count > Self.maxDigestLength {
            throw .multihashWrongDigestLength(code: code, expected: Self.maxDigestLength, actual: digest.count)
        }
        self.code = code
        self.digest = digest
    }

    /// Decodes a binary multihash that must span all of `bytes`.
    /// - Throws: a `MultiformatsError` if the bytes are truncated, too long or inconsistent.
    public init(bytes: some Collection<UInt8>) throws(MultiformatsError) {
        let array = Array(bytes)
        let (multihash, length) = try Self.decodePrefix(from: array[...])
        guard length == array.count else { throw .trailingBytes(array.count - length) }
        self = multihash
    }

    /// Reads a multihash at the start of `bytes` and returns it with the number of bytes it used.
    public static func decodePrefix(from bytes: ArraySlice<UInt8>) throws(MultiformatsError) -> (Multihash, length: Int) {
        let code = try decodeField(bytes)
        let rest = bytes.dropFirst(code.length)
        let length = try decodeField(rest)
        guard length.value <= UInt64(maxDigestLength) else {
            throw .multihashWrongDigestLength(code: code.value, expected: maxDigestLength, actual: Int(length.value))
        }
        let digestStart = rest.startIndex + length.length
        let digestLength = Int(length.value)
        guard bytes.endIndex - digestStart >= digestLength else { throw .multihashTruncated }
        let digest = Array(bytes[digestStart ..< digestStart + digestLength])
        let multihash = try Multihash(code: code.value, digest: digest)
        return (multihash, code.length + length.length + digestLength)
    }

    /// The binary form: code varint, digest-length varint, digest.
    public var bytes: [UInt8] {
        var result = Varint.encode(code)
        Varint.encode(UInt64(digest.count), into: &result)
        result.append(contentsOf: digest)
        return result
    }

    /// The hash function as a `Multicodec`.
    public var function: Multicodec { Multicodec(rawValue: code) }

    /// The SHA-256 multihash of `data`.
    public static func sha256(_ data: some DataProtocol) -> Multihash {
        Multihash(unchecked: Multicodec.sha2_256.rawValue, digest: Array(SHA256.hash(data: data)))
    }

    /// The SHA-512 multihash of `data`.
    public static func sha512(_ data: some DataProtocol) -> Multihash {
        Multihash(unchecked: Multicodec.sha2_512.rawValue, digest: Array(SHA512.hash(data: data)))
    }

    /// The identity multihash of `data` (the digest is the data itself).
    ///
    /// Meant for small values such as Ed25519 public keys in peer IDs; data longer than
    /// `maxDigestLength` produces a multihash that `init(bytes:)` will refuse.
    public static func identity(_ data: some DataProtocol) -> Multihash {
        Multihash(unchecked: Multicodec.identity.rawValue, digest: Array(data))
    }

    /// True when this multihash is the hash of `data`.
    ///
    /// Supports identity, sha2-256 and sha2-512; returns false for any other function.
    public func verifies(_ data: some DataProtocol) -> Bool {
        switch code {
        case Multicodec.identity.rawValue:
            return digest.elementsEqual(data)
        case Multicodec.sha2_256.rawValue:
            return Array(SHA256.hash(data: data)) == digest
        case Multicodec.sha2_512.rawValue:
            return Array(SHA512.hash(data: data)) == digest
        default:
            return false
        }
    }

    /// The function name and hex digest, e.g. "sha2-256:2c26…".
    public var description: String {
        "\(function):" + Base16.encode(digest)
    }

    /// The digest length a hash function always produces, or nil when any length is allowed.
    static func fixedDigestLength(code: UInt64) -> Int? {
        switch code {
        case Multicodec.sha2_256.rawValue: return 32
        case Multicodec.sha2_512.rawValue: return 64
        default: return nil
        }
    }

    private init(unchecked code: UInt64, digest: [UInt8]) {
        self.code = code
        self.digest = digest
    }

    private static func decodeField(_ bytes: ArraySlice<UInt8>) throws(MultiformatsError) -> (value: UInt64, length: Int) {
        do throws(MultiformatsError) {
            return try Varint.decode(bytes)
        } catch .varintTruncated {
            throw .multihashTruncated
        }
    }
}
