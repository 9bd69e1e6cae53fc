import Testing
@testable import Multiformats

@Suite struct MultiformatsErrorTests {
    static let allErrors: [MultiformatsError] = [
        .varintTruncated, .varintTooLong, .varintNotMinimal,
        .protobufTruncated, .protobufBadWireType(3), .protobufBadFieldNumber(0),
        .protobufLengthOutOfRange(declared: 9, available: 2),
        .multihashTruncated, .multihashWrongDigestLength(code: 0x12, expected: 32, actual: 31), .trailingBytes(2),
        .multibaseEmpty, .multibaseUnknownPrefix("Q"), .invalidCharacter("0", encoding: "base58btc"),
        .invalidEncodingLength(encoding: "base32"),
        .cidUnsupportedVersion(2), .cidTruncated, .cidV0RequiresSHA256, .cidV0RequiresDagPB(codec: 0x55),
        .cidBadString("zz"),
        .multiaddrBadSyntax("ip4"), .multiaddrUnknownProtocol("smtp"),
        .multiaddrBadValue(protocolName: "tcp", value: "99999"), .multiaddrTruncated,
    ]

    @Test func everyErrorHasADistinctReadableDescription() {
        let descriptions = Self.allErrors.map(\.description)
        #expect(Set(descriptions).count == Self.allErrors.count)
        for description in descriptions {
            #expect(description.count > 15)
        }
    }

    @Test func descriptionsNameTheOffendingValue() {
        #expect(MultiformatsError.multihashWrongDigestLength(code: 0x12, expected: 32, actual: 31).description
            == "multihash 0x12 digest length is 31, expected 32")
        #expect(MultiformatsError.multiaddrBadValue(protocolName: "tcp", value: "99999").description
            == "'99999' is not a valid value for multiaddr protocol /tcp")
        #expect(MultiformatsError.invalidCharacter("0", encoding: "base58btc").description
            == "character '0' is not valid base58btc")
    }

    @Test func longHostileValuesAreShortenedInDescriptions() {
        let huge = String(repeating: "x", count: 100_000)
        #expect(MultiformatsError.cidBadString(huge).description.count < 200)
        #expect(MultiformatsError.multiaddrBadSyntax(huge).description.count < 200)
        #expect(MultiformatsError.multiaddrUnknownProtocol(huge).description.count < 200)
    }
}
