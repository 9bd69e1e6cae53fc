import Crypto
import Testing
@testable import Libp2p

@Suite struct NoiseHandshakePayloadTests {
    @Test func signedPayloadVerifiesForItsStaticKeyOnly() throws {
        let identity = PrivateKey()
        let staticKey = Array(Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation)
        let payload = try NoiseHandshakePayload(identity: identity, noiseStaticKey: staticKey)
        let decoded = try NoiseHandshakePayload(decoding: payload.encoded)
        #expect(try decoded.verify(remoteNoiseStaticKey: staticKey).peerID == identity.peerID)
        let otherStatic = Array(Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation)
        #expect(throws: Libp2pError.noiseBadSignature) { try decoded.verify(remoteNoiseStaticKey: otherStatic) }
    }

    @Test func badSignatureIsRejected() throws {
        let staticKey = Array(Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation)
        var payload = try NoiseHandshakePayload(identity: PrivateKey(), noiseStaticKey: staticKey)
        payload.identitySignature[0] ^= 0xFF
        #expect(throws: Libp2pError.noiseBadSignature) { try payload.verify(remoteNoiseStaticKey: staticKey) }
        #expect(throws: Libp2pError.self) { try NoiseHandshakePayload(decoding: [0x0A, 0x05, 1]) }
    }
}
