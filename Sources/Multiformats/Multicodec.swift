/// A multicodec code: the number that names a hash function, content codec or key type
/// in multihashes and CIDs (see the multicodec table, github.com/multiformats/multicodec).
///
/// Only the codes this project uses have names; any other code still round-trips as a number.
/// Multiaddr protocol codes live with `Multiaddr.ProtocolCode`.
public struct Multicodec: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The numeric code as written in varints.
    public let rawValue: UInt64

    /// Wraps a numeric code.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    // MARK: Hash functions (multihash)
    /// The identity "hash": the digest is the data itself.
    public static let identity = Multicodec(rawValue: 0x00)
    /// SHA-256 (32-byte digest).
    public static let sha2_256 = Multicodec(rawValue: 0x12)
    /// SHA-512 (64-byte digest).
    public static let sha2_512 = Multicodec(rawValue: 0x13)

    // MARK: Content codecs (CID)
    /// Raw bytes, no structure.
    public static let raw = Multicodec(rawValue: 0x55)
    /// MerkleDAG protobuf (UnixFS files and directories).
    public static let dagPB = Multicodec(rawValue: 0x70)
    /// MerkleDAG CBOR.
    public static let dagCBOR = Multicodec(rawValue: 0x71)
    /// A libp2p public key (used by CIDs that name peer IDs).
    public static let libp2pKey = Multicodec(rawValue: 0x72)
    /// MerkleDAG JSON.
    public static let dagJSON = Multicodec(rawValue: 0x0129)
    /// A CARv1 archive.
    public static let car = Multicodec(rawValue: 0x0202)

    // MARK: Key types
    /// An Ed25519 public key.
    public static let ed25519Pub = Multicodec(rawValue: 0xED)

    /// Every code that has a name here, with its multicodec table name.
    public static let knownNames: [UInt64: String] = [
        0x00: "identity",
        0x12: "sha2-256",
        0x13: "sha2-512",
        0x55: "raw",
        0x70: "dag-pb",
        0x71: "dag-cbor",
        0x72: "libp2p-key",
        0x0129: "dag-json",
        0x0202: "car",
        0xED: "ed25519-pub",
    ]

    /// The multicodec table name (e.g. "dag-pb"), or nil for codes not named here.
    public var name: String? { Self.knownNames[rawValue] }

    /// Looks a code up by its multicodec table name (e.g. "dag-cbor").
    public init?(name: String) {
        guard let entry = Self.knownNames.first(where: { $0.value == name }) else { return nil }
        self.init(rawValue: entry.key)
    }

    /// The name, or the code in hex ("0x1234") when unnamed.
    public var description: String { name ?? "0x" + String(rawValue, radix: 16) }
}
