import Testing
@testable import Multiformats

@Suite struct MulticodecTests {
    /// Codes from the multicodec table (github.com/multiformats/multicodec, table.csv).
    @Test func namesMatchTheMulticodecTable() {
        let table: [(Multicodec, UInt64, String)] = [
            (.identity, 0x00, "identity"), (.sha2_256, 0x12, "sha2-256"), (.sha2_512, 0x13, "sha2-512"),
            (.raw, 0x55, "raw"), (.dagPB, 0x70, "dag-pb"), (.dagCBOR, 0x71, "dag-cbor"),
            (.libp2pKey, 0x72, "libp2p-key"), (.dagJSON, 0x0129, "dag-json"), (.car, 0x0202, "car"),
            (.ed25519Pub, 0xED, "ed25519-pub"),
        ]
        for (codec, code, name) in table {
            #expect(codec.rawValue == code)
            #expect(codec.name == name)
            #expect(Multicodec(name: name) == codec)
            #expect(codec.description == name)
        }
    }

    @Test func unknownCodesPrintAsHex() {
        let codec = Multicodec(rawValue: 0xABCD)
        #expect(codec.name == nil)
        #expect(codec.description == "0xabcd")
        #expect(Multicodec(name: "no-such-codec") == nil)
    }
}
