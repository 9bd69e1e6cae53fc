import Multiformats

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

/// The libp2p key protobuf shared by public and private keys: `Type` (field 1, varint) and `Data`
/// (field 2, bytes).
enum KeyProtobuf {
    /// Reads the two fields; `what` names the key in error messages ("public key", "private key").
    static func decode(_ bytes: some Collection<UInt8>, what: String) throws(Libp2pError) -> (type: UInt64, data: [UInt8]) {
        var reader = ProtobufReader(Array(bytes))
        var rawType: UInt64?
        var keyData: [UInt8]?
        do {
            while let field = try reader.next() {
                switch (field.field, field.value) {
                case (1, .varint(let value)): rawType = value
                case (2, .lengthDelimited(let value)): keyData = Array(value)
                default: break
                }
            }
        } catch {
            throw .invalidKey("bad \(what) protobuf: \(error)")
        }
        guard let rawType, let keyData else { throw .invalidKey("\(what) lacks Type or Data") }
        return (rawType, keyData)
    }
}
