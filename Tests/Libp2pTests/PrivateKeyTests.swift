import Testing
@testable import Libp2p

@Suite struct PrivateKeyTests {
    @Test func protobufRoundTripKeepsIdentity() throws {
        let key = PrivateKey()
        let encoded = key.protobufBytes
        #expect(encoded.count == 68)
        let decoded = try PrivateKey(protobuf: encoded)
        #expect(decoded.peerID == key.peerID)
        #expect(decoded.peerID.description.hasPrefix("12D3KooW"))
    }

    @Test func rejectsMismatchedPublicHalfAndOtherTypes() {
        var encoded = PrivateKey().protobufBytes
        encoded[encoded.count - 1] ^= 0xFF
        #expect(throws: Libp2pError.self) { try PrivateKey(protobuf: encoded) }
        #expect(throws: Libp2pError.unsupportedKeyType(0)) { try PrivateKey(protobuf: [0x08, 0x00, 0x12, 0x01, 0x00]) }
    }
}
