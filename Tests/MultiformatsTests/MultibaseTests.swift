import Testing
@testable import Multiformats

@Suite struct MultibaseTests {
    /// Spec vectors from github.com/multiformats/multibase tests/basic.csv,
    /// tests/leading_zero.csv and tests/two_leading_zeros.csv (input "yes mani !"
    /// with zero, one and two leading zero bytes).
    static let specVectors: [(input: [UInt8], encodings: [(Multibase, String)])] = [
        (Array("yes mani !".utf8), [
            (.base16, "f796573206d616e692021"), (.base16Upper, "F796573206D616E692021"),
            (.base32, "bpfsxgidnmfxgsibb"), (.base32Upper, "BPFSXGIDNMFXGSIBB"),
            (.base32Pad, "cpfsxgidnmfxgsibb"), (.base32PadUpper, "CPFSXGIDNMFXGSIBB"),
            (.base36, "k2lcpzo5yikidynfl"), (.base36Upper, "K2LCPZO5YIKIDYNFL"),
            (.base58btc, "z7paNL19xttacUY"),
            (.base64, "meWVzIG1hbmkgIQ"), (.base64Pad, "MeWVzIG1hbmkgIQ=="),
            (.base64URL, "ueWVzIG1hbmkgIQ"), (.base64URLPad, "UeWVzIG1hbmkgIQ=="),
        ]),
        ([0] + Array("yes mani !".utf8), [
            (.base16, "f00796573206d616e692021"), (.base16Upper, "F00796573206D616E692021"),
            (.base32, "bab4wk4zanvqw42jaee"), (.base32Upper, "BAB4WK4ZANVQW42JAEE"),
            (.base32Pad, "cab4wk4zanvqw42jaee======"), (.base32PadUpper, "CAB4WK4ZANVQW42JAEE======"),
            (.base36, "k02lcpzo5yikidynfl"), (.base36Upper, "K02LCPZO5YIKIDYNFL"),
            (.base58btc, "z17paNL19xttacUY"),
            (.base64, "mAHllcyBtYW5pICE"), (.base64Pad, "MAHllcyBtYW5pICE="),
            (.base64URL, "uAHllcyBtYW5pICE"), (.base64URLPad, "UAHllcyBtYW5pICE="),
        ]),
        ([0, 0] + Array("yes mani !".utf8), [
            (.base16, "f0000796573206d616e692021"), (.base16Upper, "F0000796573206D616E692021"),
            (.base32, "baaahszltebwwc3tjeaqq"), (.base32Upper, "BAAAHSZLTEBWWC3TJEAQQ"),
            (.base32Pad, "caaahszltebwwc3tjeaqq===="), (.base32PadUpper, "CAAAHSZLTEBWWC3TJEAQQ===="),
            (.base36, "k002lcpzo5yikidynfl"), (.base36Upper, "K002LCPZO5YIKIDYNFL"),
            (.base58btc, "z117paNL19xttacUY"),
            (.base64, "mAAB5ZXMgbWFuaSAh"), (.base64Pad, "MAAB5ZXMgbWFuaSAh"),
            (.base64URL, "uAAB5ZXMgbWFuaSAh"), (.base64URLPad, "UAAB5ZXMgbWFuaSAh"),
        ]),
    ]

    @Test func encodesSpecVectors() {
        for vector in Self.specVectors {
            for (base, expected) in vector.encodings {
                #expect(Multibase.encode(vector.input, as: base) == expected, "\(base.name)")
            }
        }
    }

    @Test func decodesSpecVectors() throws {
        for vector in Self.specVectors {
            for (base, text) in vector.encodings {
                let decoded = try Multibase.decode(text)
                #expect(decoded.base == base)
                #expect(decoded.bytes == vector.input, "\(base.name)")
            }
        }
    }

    /// github.com/multiformats/multibase tests/case_insensitivity.csv: mixed-case input for
    /// case-insensitive bases decodes to "hello world".
    @Test func decodesMixedCaseForCaseInsensitiveBases() throws {
        let expected = Array("hello world".utf8)
        for text in [
            "f68656c6c6f20776F726C64", "F68656c6c6f20776F726C64",
            "bnbswy3dpeB3W64TMMQ", "Bnbswy3dpeB3W64TMMQ",
            "cnbswy3dpeB3W64TMMQ======", "Cnbswy3dpeB3W64TMMQ======",
            "kfUvrsIvVnfRbjWaJo", "KfUVrSIVVnFRbJWAJo",
        ] {
            #expect(try Multibase.decode(text).bytes == expected, "\(text)")
        }
    }

    /// Produced with the independent Python implementation (pip install multiformats==0.3.1.post4):
    ///   python -c "from multiformats import multibase; print([multibase.encode(d, b) for b in
    ///     ['base58btc','base32','base36','base64url','base64','base16']])"  for each input d below.
    static let pythonVectors: [(hex: String, encodings: [String])] = [
        ("", ["z", "b", "k", "u", "m", "f"]),
        ("66", ["z2m", "bmy", "k2u", "uZg", "mZg", "f66"]),
        ("666f", ["z8o8", "bmzxq", "kk8f", "uZm8", "mZm8", "f666f"]),
        ("666f6f", ["zbQbp", "bmzxw6", "k3zvxr", "uZm9v", "mZm9v", "f666f6f"]),
        ("666f6f62", ["z3csAg9", "bmzxw6yq", "ksf742q", "uZm9vYg", "mZm9vYg", "f666f6f62"]),
        ("666f6f6261", ["zCZJRhmz", "bmzxw6ytb", "k5m42kzfl", "uZm9vYmE", "mZm9vYmE", "f666f6f6261"]),
        ("666f6f626172", ["zt1Zv2yaZ", "bmzxw6ytboi", "k13x8yd7ywi", "uZm9vYmFy", "mZm9vYmFy", "f666f6f626172"]),
        ("00000102ff", ["z11LiA", "baaaacax7", "k001f5r", "uAAABAv8", "mAAABAv8", "f00000102ff"]),
        ("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627", [
            "z1fAhYWqs6ctsWHNZtpYJNB9BxxQPq4Pa5LkbLC3wpAHLipXE7tXVY",
            "baaaqeayeaudaocajbifqydiob4ibceqtcqkrmfyydenbwha5dypsaijcemsckjrh",
            "k0htm7c3uybkjaqyxn9et5p3sxcjb34r877v3x0b9yfc6i0dmhgfayi4irl7r",
            "uAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJw",
            "mAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJw",
            "f000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f2021222324252627",
        ]),
    ]

    @Test func matchesPythonImplementation() throws {
        let bases: [Multibase] = [.base58btc, .base32, .base36, .base64URL, .base64, .base16]
        for vector in Self.pythonVectors {
            let input = try Base16.decode(vector.hex)
            for (base, expected) in zip(bases, vector.encodings) {
                #expect(Multibase.encode(input, as: base) == expected)
                #expect(try Multibase.decode(expected).bytes == input)
            }
        }
    }

    @Test func roundTripsEveryBaseAndLength() throws {
        var input: [UInt8] = []
        for length in 0 ..< 40 {
            for base in Multibase.allCases {
                let text = Multibase.encode(input, as: base)
                #expect(try Multibase.decode(text) == (base, input))
            }
            input.append(UInt8(truncatingIfNeeded: length &* 37 &+ (length == 3 ? 0 : 200)))
        }
    }

    @Test func rejectsEmptyAndUnknownPrefixes() {
        #expect(throws: MultiformatsError.multibaseEmpty) { try Multibase.decode("") }
        #expect(throws: MultiformatsError.multibaseUnknownPrefix("Q")) { try Multibase.decode("QmYwAPJzv5") }
        #expect(throws: MultiformatsError.multibaseUnknownPrefix("🚀")) { try Multibase.decode("🚀🚀") }
    }

    @Test func rejectsCharactersOutsideTheAlphabet() {
        for text in ["z0abc", "zOabc", "zIabc", "zlabc", "z12 3", "zé", "b1abc", "bab8", "k-1", "m+/=", "u+AAA", "mAA_A", "fzz", "f0é"] {
            #expect(throws: MultiformatsError.self, "\(text)") { try Multibase.decode(text) }
        }
        #expect(throws: MultiformatsError.invalidCharacter("0", encoding: "base58btc")) { try Base58.decode("10") }
    }

    @Test func rejectsImpossibleLengthsAndPadding() {
        let invalid = [
            "fabc", // odd hex
            "ba", "babc", "babcdef", // base32 lengths 1, 3, 6 mod 8
            "mA", "mAAAAA", // base64 length 1 mod 4
            "MAA", "MAA=", "MAA===", "MA===", "M====", // wrong or missing padding
            "cme", "cme=====", // base32pad needs exactly 6 "=" here
            "mZg==", "uZg=", // padding in unpadded variants
        ]
        for text in invalid {
            #expect(throws: MultiformatsError.self, "\(text)") { try Multibase.decode(text) }
        }
    }

    @Test func rejectsNonZeroTrailingBits() {
        // "f" is "my" in base32 and "Zg" in base64; changing the last character sets unused bits.
        #expect(throws: MultiformatsError.invalidEncodingLength(encoding: "base32")) { try Multibase.decode("bmz") }
        #expect(throws: MultiformatsError.invalidEncodingLength(encoding: "base64")) { try Multibase.decode("mZh") }
    }
}
