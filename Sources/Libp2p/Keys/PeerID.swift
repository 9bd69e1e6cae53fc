import Multiformats

/// A libp2p peer ID: the multihash of a public key's protobuf encoding — the identity multihash
/// when the encoding is at most 42 bytes (Ed25519, secp256k1), sha2-256 otherwise (RSA, ECDSA).
public struct PeerID: Sendable, Hashable, CustomStringConvertible {
    /// Encodings up to this size are inlined with the identity multihash.
    public static let maxInlineKeyLength = 42

    /// The multihash.
    public let multihash: Multihash

    /// The peer ID of `publicKey`.
    public init(publicKey: PublicKey) {
        let encoded = publicKey.protobufBytes
        multihash = encoded.count <= Self.maxInlineKeyLength ? Multihash.identity(encoded) : Multihash.sha256(encoded)
    }

    /// Parses the binary form (a multihash: identity or sha2-256).
    public init(bytes: some Collection<UInt8>) throws(Libp2pError) {
        let hash: Multihash
        do {
            hash = try Multihash(bytes: bytes)
        } catch {
            throw .invalidPeerID("\(error)")
        }
        try self.init(multihash: hash)
    }

    /// Wraps a multihash, which must be identity (holding a key) or sha2-256.
    public init(multihash: Multihash) throws(Libp2pError) {
        switch multihash.code {
        case Multicodec.identity.rawValue:
            guard multihash.digest.count <= Self.maxInlineKeyLength else {
                throw .invalidPeerID("identity peer ID longer than \(Self.maxInlineKeyLength) bytes")
            }
            _ = try PublicKey(protobuf: multihash.digest)
        case Multicodec.sha2_256.rawValue:
            break
        default:
            throw .invalidPeerID("multihash code 0x\(String(multihash.code, radix: 16)) is neither identity nor sha2-256")
        }
        self.multihash = multihash
    }

    /// The binary form (the multihash bytes).
    public var bytes: [UInt8] { multihash.bytes }

    /// The public key inlined in an identity peer ID, if any.
    public var inlinedPublicKey: PublicKey? {
        guard multihash.code == Multicodec.identity.rawValue else { return nil }
        return try? PublicKey(protobuf: multihash.digest)
    }

    /// True when `key` is the key this peer ID names.
    public func matches(_ key: PublicKey) -> Bool { PeerID(publicKey: key) == self }

    /// The base58btc text form (e.g. `12D3KooW…` for Ed25519).
    public var description: String { base58 }
}
