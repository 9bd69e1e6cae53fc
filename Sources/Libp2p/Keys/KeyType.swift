/// The key types of the libp2p `crypto.proto` `KeyType` enum.
public enum KeyType: UInt64, Sendable, CustomStringConvertible {
    /// RSA; `Data` is a DER-encoded PKIX SubjectPublicKeyInfo.
    case rsa = 0
    /// Ed25519; `Data` is the 32-byte public key.
    case ed25519 = 1
    /// secp256k1; `Data` is the 33-byte compressed point.
    case secp256k1 = 2
    /// ECDSA (NIST curves); `Data` is a DER-encoded PKIX SubjectPublicKeyInfo.
    case ecdsa = 3

    /// The protobuf enum name.
    public var description: String {
        switch self {
        case .rsa: return "RSA"
        case .ed25519: return "Ed25519"
        case .secp256k1: return "Secp256k1"
        case .ecdsa: return "ECDSA"
        }
    }
}
