import _CryptoExtras
import Testing
@testable import Libp2p

/// RSA keys from the network are parsed by hand (``RSAPublicKeyDER``): swift-crypto 3's DER
/// initializer double-frees on bytes it cannot parse, so only well-formed keys may reach it.
@Suite struct RSAPublicKeyDERTests {
    /// A fresh 2048-bit key in both encodings.
    static let generated = try! _RSA.Signing.PrivateKey(keySize: .bits2048).publicKey

    @Test func subjectPublicKeyInfoAndPKCS1GiveTheSameKey() throws {
        let spki = [UInt8](Self.generated.derRepresentation)
        let pkcs1 = [UInt8](Self.generated.pkcs1DERRepresentation)
        let fromSPKI = try #require(RSAPublicKeyDER.key(spki))
        let fromPKCS1 = try #require(RSAPublicKeyDER.key(pkcs1))
        #expect(fromSPKI.pkcs1DERRepresentation == Self.generated.pkcs1DERRepresentation)
        #expect(fromPKCS1.pkcs1DERRepresentation == Self.generated.pkcs1DERRepresentation)
        #expect(fromSPKI.keySizeInBits == 2048)
    }

    @Test func theKeyFromPythonParses() throws {
        #expect(RSAPublicKeyDER.key(Vectors.rsaPublicKey) != nil)
        let (n, e) = try #require(RSAPublicKeyDER.parameters(spki: Vectors.rsaPublicKey[...]))
        #expect(n.count == 256 && n[0] & 0x80 != 0)
        #expect(e == [0x01, 0x00, 0x01])
    }

    /// Each case is refused without reaching swift-crypto's DER parser; the first is the
    /// Libp2pMessages fuzz seed that aborted a release build (SEQUENCE { INTEGER 1 }).
    @Test(arguments: [
        ("one integer", [0x30, 0x03, 0x02, 0x01, 0x01]),
        ("empty", []),
        ("truncated length", [0x30, 0x82, 0x01]),
        ("length past the end", [0x30, 0x05, 0x02, 0x01, 0x01]),
        ("trailing byte", [0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x03, 0x00]),
        ("negative modulus", [0x30, 0x06, 0x02, 0x01, 0x85, 0x02, 0x01, 0x03]),
        ("zero exponent", [0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x00]),
        ("non-minimal integer", [0x30, 0x07, 0x02, 0x02, 0x00, 0x05, 0x02, 0x01, 0x03]),
        ("long-form length under 128", [0x30, 0x81, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x03]),
        ("a small key (5, 3)", [0x30, 0x06, 0x02, 0x01, 0x05, 0x02, 0x01, 0x03]),
    ] as [(String, [UInt8])])
    func hostileBytesAreRefused(_ name: String, _ bytes: [UInt8]) {
        #expect(RSAPublicKeyDER.key(bytes) == nil, "\(name)")
    }

    @Test func aWrongAlgorithmOrBitStringIsRefused() throws {
        var spki = [UInt8](Self.generated.derRepresentation)
        // The OID's last byte (rsaEncryption ...1.1.1 becomes ...1.1.2).
        let oid: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]
        let at = try #require(spki.firstRange(of: oid)).upperBound - 1
        spki[at] = 0x02
        #expect(RSAPublicKeyDER.parameters(spki: spki[...]) == nil)
        // Unused bits in the BIT STRING.
        var bits = [UInt8](Self.generated.derRepresentation)
        let bitString = try #require(bits.firstRange(of: [0x03, 0x82]))
        bits[bitString.lowerBound + 4] = 0x01
        #expect(RSAPublicKeyDER.parameters(spki: bits[...]) == nil)
        // Through PublicKey, as a peer's handshake or identify message would arrive.
        #expect(throws: Libp2pError.self) { try PublicKey(type: .rsa, data: [0x30, 0x03, 0x02, 0x01, 0x01]) }
    }
}
