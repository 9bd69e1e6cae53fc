import Multiformats

/// The libp2p Noise handshake payload: `NoiseHandshakePayload { bytes identity_key = 1;
/// bytes identity_sig = 2; NoiseExtensions extensions = 4; }` (spec: libp2p/specs noise).
///
/// The signature covers `"noise-libp2p-static-key:"` followed by the sender's Noise static key,
/// binding the Noise session to the libp2p identity.
struct NoiseHandshakePayload: Sendable, Equatable {
    /// The prefix of the signed message.
    static let signaturePrefix = Array("noise-libp2p-static-key:".utf8)
    /// The largest payload we accept.
    static let maxLength = 8192

    /// The sender's identity key (protobuf-encoded `PublicKey`).
    var identityKey: [UInt8]
    /// The sender's signature over the prefix and its Noise static key.
    var identitySignature: [UInt8]

    /// Builds and signs our payload for `noiseStaticKey`.
    init(identity: PrivateKey, noiseStaticKey: [UInt8]) throws(Libp2pError) {
        identityKey = identity.publicKey.protobufBytes
        identitySignature = try identity.sign(Self.signaturePrefix + noiseStaticKey)
    }

    init(identityKey: [UInt8], identitySignature: [UInt8]) {
        self.identityKey = identityKey
        self.identitySignature = identitySignature
    }

    /// Decodes a payload; unknown fields (extensions) are skipped.
    init(decoding bytes: [UInt8]) throws(Libp2pError) {
        guard bytes.count <= Self.maxLength else { throw .noiseHandshakeFailed("payload of \(bytes.count) bytes is too large") }
        var reader = ProtobufReader(bytes)
        var key: [UInt8]?
        var signature: [UInt8]?
        do {
            while let field = try reader.next() {
                switch (field.field, field.value) {
                case (1, .lengthDelimited(let value)): key = Array(value)
                case (2, .lengthDelimited(let value)): signature = Array(value)
                default: break
                }
            }
        } catch {
            throw .noiseHandshakeFailed("bad handshake payload: \(error)")
        }
        guard let key, let signature else { throw .noiseHandshakeFailed("handshake payload lacks identity key or signature") }
        identityKey = key
        identitySignature = signature
    }

    /// The protobuf encoding.
    var encoded: [UInt8] {
        var writer = ProtobufWriter()
        writer.writeBytes(field: 1, identityKey)
        writer.writeBytes(field: 2, identitySignature)
        return writer.bytes
    }

    /// Checks the signature against the remote's Noise static key; returns the remote identity key.
    func verify(remoteNoiseStaticKey: [UInt8]) throws(Libp2pError) -> PublicKey {
        let key = try PublicKey(protobuf: identityKey)
        guard key.verify(signature: identitySignature, for: Self.signaturePrefix + remoteNoiseStaticKey) else {
            throw .noiseBadSignature
        }
        return key
    }
}
