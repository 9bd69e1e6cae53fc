import Testing
@testable import Libp2p

@Suite struct Secp256k1Tests {
    @Test func generatorIsOnTheCurveAndDecompresses() throws {
        // G compressed (even y) per SEC 2.
        let compressed = Hex.decode("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
        let point = try #require(Secp256k1.Point(compressed: compressed))
        #expect(point == Secp256k1.generator)
        var odd = compressed
        odd[0] = 3
        #expect(Secp256k1.Point(compressed: odd)?.y != Secp256k1.generator.y)
    }

    @Test func rejectsPointsOffTheCurve() {
        var bad = Vectors.secp256k1PublicKey
        bad[32] ^= 0x01
        // Roughly half of all x values have no point; this one is checked both ways.
        let valid = Secp256k1.Point(compressed: bad)
        if let valid {
            #expect(valid.x != Secp256k1.Point(compressed: Vectors.secp256k1PublicKey)?.x)
        }
        #expect(Secp256k1.Point(compressed: [0x02] + [UInt8](repeating: 0xFF, count: 32)) == nil)
    }

    @Test func rejectsMalformedDER() {
        #expect(DERSignature.parse([0x30, 0x02, 0x02, 0x00]) == nil)
        #expect(DERSignature.parse(Vectors.secp256k1Signature + [0]) == nil)
        #expect(DERSignature.parse(Array(Vectors.secp256k1Signature.dropLast())) == nil)
        #expect(DERSignature.parse(Vectors.secp256k1Signature) != nil)
    }

    @Test func twoGEqualsGPlusG() {
        let g = Secp256k1.Jacobian(Secp256k1.generator)
        let doubled = g.doubled()
        let viaCombination = Secp256k1.linearCombination(UInt256.one, Secp256k1.generator, UInt256.one, Secp256k1.generator)
        #expect(doubled.affineX == viaCombination.affineX)
        // 2G's x coordinate from SEC test data.
        #expect(doubled.affineX == UInt256(bigEndian: Hex.decode("c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5")))
    }
}
