import Testing
@testable import Multiformats

@Suite struct Base16Tests {
    /// RFC 4648 section 10 test vectors for base16.
    @Test func matchesRFC4648Vectors() throws {
        let vectors = [("", ""), ("f", "66"), ("fo", "666f"), ("foo", "666f6f"), ("foobar", "666f6f626172")]
        for (text, hex) in vectors {
            #expect(Base16.encode(Array(text.utf8)) == hex)
            #expect(try Base16.decode(hex) == Array(text.utf8))
            #expect(try Base16.decode(hex.uppercased()) == Array(text.utf8))
        }
        #expect(Base16.encode([0x00, 0xFF, 0xA0]) == "00ffa0")
    }

    @Test func rejectsOddLengthsAndNonHex() {
        #expect(throws: MultiformatsError.invalidEncodingLength(encoding: "base16")) { try Base16.decode("abc") }
        #expect(throws: MultiformatsError.invalidCharacter("g", encoding: "base16")) { try Base16.decode("0g") }
        #expect(throws: MultiformatsError.self) { try Base16.decode("éé") }
    }
}
