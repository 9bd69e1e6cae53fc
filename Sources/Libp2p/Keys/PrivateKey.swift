import Crypto
import Foundation
import Multiformats

/// Our own identity key: an Ed25519 private key, encoded as the libp2p `PrivateKey` protobuf
/// (`Type = Ed25519`, `Data` = 32-byte seed followed by the 32-byte public key, as go-libp2p does).
public struct PrivateKey: Sendable {
    /// The 32-byte Ed25519 seed (kept as bytes so the value is `Sendable`).
    private let seed: [UInt8]
    /// The 32-byte Ed25519 public key.
    private let publicKeyBytes: [UInt8]

    /// The underlying swift-crypto signing key.
    public var ed25519: Curve25519.Signing.PrivateKey {
        // The seed came from a valid key, so re-creating it cannot fail; fall back defensively.
        (try? Curve25519.Signing.PrivateKey(rawRepresentation: seed)) ?? Curve25519.Signing.PrivateKey()
    }

    /// Generates a fresh random key.
    public init() {
        self.init(ed25519: Curve25519.Signing.PrivateKey())
    }

    /// Wraps an existing swift-crypto key.
    public init(ed25519: Curve25519.Signing.PrivateKey) {
        seed = Array(ed25519.rawRepresentation)
        publicKeyBytes = Array(ed25519.publicKey.rawRepresentation)
    }

    /// Decodes the libp2p `PrivateKey` protobuf (Ed25519 only; 32-byte seed or 64-byte seed+public).
    public init(protobuf bytes: some Collection<UInt8>) throws(Libp2pError) {
        let (rawType, keyData) = try KeyProtobuf.decode(bytes, what: "private key")
        guard rawType == KeyType.ed25519.rawValue else { throw .unsupportedKeyType(rawType) }
        guard keyData.count == 32 || keyData.count == 64 else {
            throw .invalidKey("Ed25519 private key must be 32 or 64 bytes, got \(keyData.count)")
        }
        let key: Curve25519.Signing.PrivateKey
        do {
            key = try Curve25519.Signing.PrivateKey(rawRepresentation: keyData.prefix(32))
        } catch {
            throw .invalidKey("bad Ed25519 seed")
        }
        self.init(ed25519: key)
        if keyData.count == 64, Array(keyData.suffix(32)) != publicKeyBytes {
            throw .invalidKey("Ed25519 private key's public half does not match its seed")
        }
    }

    /// The libp2p `PrivateKey` protobuf encoding.
    public var protobufBytes: [UInt8] {
        var writer = ProtobufWriter()
        writer.writeVarint(field: 1, KeyType.ed25519.rawValue)
        writer.writeBytes(field: 2, seed + publicKeyBytes)
        return writer.bytes
    }

    /// The matching public key.
    public var publicKey: PublicKey {
        PublicKey(unchecked: .ed25519, data: publicKeyBytes)
    }

    /// Our peer ID.
    public var peerID: PeerID { publicKey.peerID }

    /// Signs `message` (Ed25519).
    public func sign(_ message: [UInt8]) throws(Libp2pError) -> [UInt8] {
        do {
            return Array(try ed25519.signature(for: message))
        } catch {
            throw .invalidKey("Ed25519 signing failed")
        }
    }
}

extension PublicKey {
    /// Creates a key without validation (only for bytes we produced ourselves).
    init(unchecked type: KeyType, data: [UInt8]) {
        self.type = type
        self.data = data
    }
}
