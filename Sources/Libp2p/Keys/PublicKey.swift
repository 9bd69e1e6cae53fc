import Crypto
import _CryptoExtras
import Foundation
import Multiformats

/// A libp2p public key: a key type plus its type-specific bytes, as in libp2p `crypto.proto`.
///
/// Supports signature verification for Ed25519, RSA (PKCS#1 v1.5 with SHA-256),
/// ECDSA (P-256/P-384/P-521 with SHA-256, DER signatures) and secp256k1 (ECDSA over SHA-256).
public struct PublicKey: Sendable, Hashable {
    /// The largest encoded key we accept from the network (8192-bit RSA fits comfortably).
    public static let maxEncodedLength = 2048

    /// The key type.
    public let type: KeyType
    /// The key's type-specific bytes (the protobuf `Data` field).
    public let data: [UInt8]

    /// Creates a key after checking that `data` parses for `type`.
    public init(type: KeyType, data: [UInt8]) throws(Libp2pError) {
        self.init(unchecked: type, data: data)
        try validate()
    }

    /// Decodes the protobuf `PublicKey { KeyType Type = 1; bytes Data = 2; }`.
    public init(protobuf bytes: some Collection<UInt8>) throws(Libp2pError) {
        guard bytes.count <= Self.maxEncodedLength else { throw .invalidKey("encoded key is \(bytes.count) bytes") }
        let (rawType, keyData) = try KeyProtobuf.decode(bytes, what: "public key")
        guard let type = KeyType(rawValue: rawType) else { throw .unsupportedKeyType(rawType) }
        try self.init(type: type, data: keyData)
    }

    /// The deterministic protobuf encoding (Type, then Data), used for peer IDs and handshakes.
    public var protobufBytes: [UInt8] {
        var writer = ProtobufWriter()
        writer.writeVarint(field: 1, type.rawValue)
        writer.writeBytes(field: 2, data)
        return writer.bytes
    }

    /// The peer ID derived from this key.
    public var peerID: PeerID { PeerID(publicKey: self) }

    /// True when `signature` is a valid signature of `message` by this key.
    public func verify(signature: [UInt8], for message: [UInt8]) -> Bool {
        switch type {
        case .ed25519:
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: data) else { return false }
            return key.isValidSignature(signature, for: message)
        case .rsa:
            guard let key = RSAPublicKeyDER.key(data) else { return false }
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: message, padding: .insecurePKCS1v1_5)
        case .ecdsa:
            return ECDSAVerifier.verify(publicKeyDER: data, signatureDER: signature, message: message)
        case .secp256k1:
            return Secp256k1.verify(compressedPublicKey: data, signatureDER: signature, message: message)
        }
    }

    private func validate() throws(Libp2pError) {
        switch type {
        case .ed25519:
            guard (try? Curve25519.Signing.PublicKey(rawRepresentation: data)) != nil else {
                throw .invalidKey("Ed25519 key must be 32 bytes")
            }
        case .rsa:
            guard RSAPublicKeyDER.key(data) != nil else {
                throw .invalidKey("RSA key is not a DER SubjectPublicKeyInfo of at least 2048 bits")
            }
        case .ecdsa:
            guard ECDSAVerifier.isValidKey(der: data) else { throw .invalidKey("ECDSA key is not a DER P-256/P-384/P-521 key") }
        case .secp256k1:
            guard Secp256k1.Point(compressed: data) != nil else { throw .invalidKey("secp256k1 key is not a valid compressed point") }
        }
    }
}

/// ECDSA verification over NIST curves with SHA-256 (libp2p ECDSA keys are PKIX DER).
enum ECDSAVerifier {
    static func isValidKey(der: [UInt8]) -> Bool {
        (try? P256.Signing.PublicKey(derRepresentation: der)) != nil
            || (try? P384.Signing.PublicKey(derRepresentation: der)) != nil
            || (try? P521.Signing.PublicKey(derRepresentation: der)) != nil
    }

    static func verify(publicKeyDER: [UInt8], signatureDER: [UInt8], message: [UInt8]) -> Bool {
        let digest = SHA256.hash(data: message)
        if let key = try? P256.Signing.PublicKey(derRepresentation: publicKeyDER) {
            guard let signature = try? P256.Signing.ECDSASignature(derRepresentation: signatureDER) else { return false }
            return key.isValidSignature(signature, for: digest)
        }
        if let key = try? P384.Signing.PublicKey(derRepresentation: publicKeyDER) {
            guard let signature = try? P384.Signing.ECDSASignature(derRepresentation: signatureDER) else { return false }
            return key.isValidSignature(signature, for: digest)
        }
        if let key = try? P521.Signing.PublicKey(derRepresentation: publicKeyDER) {
            guard let signature = try? P521.Signing.ECDSASignature(derRepresentation: signatureDER) else { return false }
            return key.isValidSignature(signature, for: digest)
        }
        return false
    }
}
