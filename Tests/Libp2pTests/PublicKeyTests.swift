import Testing
@testable import Libp2p

@Suite struct PublicKeyTests {
    @Test func secp256k1SignatureFromPythonVerifies() throws {
        let key = try PublicKey(type: .secp256k1, data: Vectors.secp256k1PublicKey)
        #expect(key.verify(signature: Vectors.secp256k1Signature, for: Vectors.message))
        #expect(!key.verify(signature: Vectors.secp256k1Signature, for: Vectors.message + [0]))
        var tampered = Vectors.secp256k1Signature
        tampered[10] ^= 1
        #expect(!key.verify(signature: tampered, for: Vectors.message))
    }

    @Test func ecdsaP256SignatureFromPythonVerifies() throws {
        let key = try PublicKey(type: .ecdsa, data: Vectors.p256PublicKey)
        #expect(key.verify(signature: Vectors.p256Signature, for: Vectors.message))
        #expect(!key.verify(signature: Vectors.p256Signature, for: Array("other".utf8)))
    }

    @Test func rsaSignatureFromPythonVerifies() throws {
        let key = try PublicKey(type: .rsa, data: Vectors.rsaPublicKey)
        #expect(key.verify(signature: Vectors.rsaSignature, for: Vectors.message))
        #expect(!key.verify(signature: Array(Vectors.rsaSignature.reversed()), for: Vectors.message))
    }

    @Test func ed25519SignatureRoundTrip() throws {
        let identity = PrivateKey()
        let signature = try identity.sign(Vectors.message)
        #expect(identity.publicKey.verify(signature: signature, for: Vectors.message))
        #expect(!PrivateKey().publicKey.verify(signature: signature, for: Vectors.message))
    }

    @Test func protobufRoundTripAndRejectsGarbage() throws {
        let key = try PublicKey(type: .secp256k1, data: Vectors.secp256k1PublicKey)
        #expect(Array(key.protobufBytes.prefix(4)) == [0x08, 0x02, 0x12, 0x21])
        #expect(try PublicKey(protobuf: key.protobufBytes) == key)
        #expect(throws: Libp2pError.unsupportedKeyType(9)) { try PublicKey(protobuf: [0x08, 0x09, 0x12, 0x01, 0x00]) }
        #expect(throws: Libp2pError.self) { try PublicKey(protobuf: [0x08, 0x01, 0x12, 0x05, 1, 2, 3, 4, 5]) }
        #expect(throws: Libp2pError.self) { try PublicKey(protobuf: [0x08, 0x01, 0x12, 0x40]) }
        #expect(throws: Libp2pError.self) { try PublicKey(type: .secp256k1, data: [0x04] + [UInt8](repeating: 1, count: 32)) }
    }
}
