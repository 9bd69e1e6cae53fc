import Testing
@testable import Multiformats

@Suite struct Base58Tests {
    /// Vectors from the base58 IETF draft (draft-msporny-base58), confirmed with python
    /// (pip install multiformats==0.3.1.post4):
    ///   python -c "from multiformats import multibase; print(multibase.encode(d,'base58btc'), multibase.encode(d,'base36'))"
    /// (the printed strings carry the 'z' / 'k' multibase prefixes, stripped here).
    static let vectors: [(hex: String, base58: String, base36: String)] = [
        ("48656c6c6f20576f726c6421", "2NEpo7TZRRrLZSi2U", "2678lx5gvmsv1dro9b5"),
        ("54686520717569636b2062726f776e20666f78206a756d7073206f76657220746865206c617a7920646f672e",
         "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z",
         "g5qzbp4tj09hv0mjegv4p824avisplw3iy3ag5m01ibnboqsbyev6zendz44cetkbrce"),
        ("0000287fb4cd", "11233QC4", "00b8j559"),
        ("00", "1", "0"),
        ("000000", "111", "000"),
        ("", "", ""),
    ]

    @Test func matchesVectors() throws {
        for vector in Self.vectors {
            let bytes = try Base16.decode(vector.hex)
            #expect(Base58.encode(bytes) == vector.base58)
            #expect(try Base58.decode(vector.base58) == bytes)
            #expect(Base36.encode(bytes) == vector.base36)
            #expect(try Base36.decode(vector.base36) == bytes)
            #expect(try Base36.decode(vector.base36.uppercased()) == bytes)
        }
    }

    @Test func rejectsCharactersOutsideTheAlphabet() {
        for text in ["0", "O", "I", "l", "2NEpo7TZRRrLZSi2U!", " 1", "1\u{0}", "é", "２"] {
            #expect(throws: MultiformatsError.self, "\(text)") { try Base58.decode(text) }
        }
        #expect(throws: MultiformatsError.invalidCharacter("_", encoding: "base36")) { try Base36.decode("ab_c") }
    }

    @Test func isCaseSensitive() throws {
        #expect(try Base58.decode("2NEpo7TZRRrLZSi2U") != Base58.decode("2nEpo7TZRRrLZSi2U"))
    }
}
