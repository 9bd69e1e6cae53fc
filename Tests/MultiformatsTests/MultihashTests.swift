import Testing
@testable import Multiformats

@Suite struct MultihashTests {
    // Vectors produced with the independent Python implementation:
    //   pip install multiformats==0.3.1.post4
    //   python -c "from multiformats import multihash; print(multihash.digest(b'multihash','sha2-256').hex())"
    // ("multihash" is also the example in the multiformats/multihash README.)
    static let sha256OfMultihash = "12209cbc07c3f991725836a3aa2a581ca2029198aa420b9d99bc0e131d9f3e2cbe47"
    //   ... multihash.digest(b'hello world','sha2-256').hex()
    static let sha256OfHelloWorld = "1220b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
    //   ... multihash.digest(b'hello world','identity').hex()
    static let identityOfHelloWorld = "000b68656c6c6f20776f726c64"
    //   ... multihash.digest(b'hello world','sha2-512').hex()
    static let sha512OfHelloWorld = "1340309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f"

    @Test func hashesLikeThePythonImplementation() throws {
        #expect(Base16.encode(Multihash.sha256(Array("multihash".utf8)).bytes) == Self.sha256OfMultihash)
        #expect(Base16.encode(Multihash.sha256(Array("hello world".utf8)).bytes) == Self.sha256OfHelloWorld)
        #expect(Base16.encode(Multihash.identity(Array("hello world".utf8)).bytes) == Self.identityOfHelloWorld)
        #expect(Base16.encode(Multihash.sha512(Array("hello world".utf8)).bytes) == Self.sha512OfHelloWorld)
    }

    @Test func decodesAndReencodes() throws {
        for hex in [Self.sha256OfMultihash, Self.identityOfHelloWorld, Self.sha512OfHelloWorld] {
            let bytes = try Base16.decode(hex)
            let multihash = try Multihash(bytes: bytes)
            #expect(multihash.bytes == bytes)
        }
        let sha = try Multihash(bytes: Base16.decode(Self.sha256OfHelloWorld))
        #expect(sha.code == 0x12)
        #expect(sha.function == .sha2_256)
        #expect(sha.digest.count == 32)
    }

    @Test func verifiesData() throws {
        let data = Array("hello world".utf8)
        for multihash in [Multihash.sha256(data), Multihash.sha512(data), Multihash.identity(data)] {
            #expect(multihash.verifies(data))
            #expect(!multihash.verifies(Array("hello worle".utf8)))
        }
        let unknown = try Multihash(code: 0xB220, digest: Array(repeating: 1, count: 32))
        #expect(!unknown.verifies(data))
    }

    @Test func keepsUnknownFunctionsAsNumbers() throws {
        // blake2b-256 (0xb220) has a two-byte code varint.
        let multihash = try Multihash(code: 0xB220, digest: Array(repeating: 0xAB, count: 32))
        #expect(Array(multihash.bytes.prefix(4)) == [0xA0, 0xE4, 0x02, 0x20])
        #expect(try Multihash(bytes: multihash.bytes) == multihash)
    }

    @Test func decodesPrefixAndReportsLength() throws {
        let multihash = Multihash.sha256(Array("x".utf8))
        let buffer: [UInt8] = [9, 9] + multihash.bytes + [1, 2, 3]
        let (decoded, length) = try Multihash.decodePrefix(from: buffer[2...])
        #expect(decoded == multihash)
        #expect(length == 34)
    }

    @Test func rejectsWrongDigestLengthForKnownFunctions() {
        #expect(throws: MultiformatsError.multihashWrongDigestLength(code: 0x12, expected: 32, actual: 31)) {
            try Multihash(code: 0x12, digest: Array(repeating: 0, count: 31))
        }
        // Declared length 0x1f for sha2-256, with exactly 31 bytes present.
        let bytes: [UInt8] = [0x12, 0x1F] + Array(repeating: 0, count: 31)
        #expect(throws: MultiformatsError.multihashWrongDigestLength(code: 0x12, expected: 32, actual: 31)) {
            try Multihash(bytes: bytes)
        }
    }

    @Test func rejectsTruncatedAndTrailingBytes() throws {
        let full = try Base16.decode(Self.sha256OfHelloWorld)
        #expect(throws: MultiformatsError.multihashTruncated) { try Multihash(bytes: full.dropLast()) }
        #expect(throws: MultiformatsError.multihashTruncated) { try Multihash(bytes: [0x12]) }
        #expect(throws: MultiformatsError.multihashTruncated) { try Multihash(bytes: [UInt8]()) }
        #expect(throws: MultiformatsError.multihashTruncated) { try Multihash(bytes: [0x80]) }
        #expect(throws: MultiformatsError.trailingBytes(1)) { try Multihash(bytes: full + [0]) }
    }

    @Test func rejectsHostileLengthsWithoutAllocating() {
        // Identity multihash claiming a 2^62-byte digest.
        let hostile: [UInt8] = [0x00] + Varint.encode(1 << 62) + [1, 2, 3]
        #expect(throws: MultiformatsError.self) { try Multihash(bytes: hostile) }
        // Non-minimal and overlong varints in the code field.
        #expect(throws: MultiformatsError.varintNotMinimal) { try Multihash(bytes: [0x92, 0x00, 0x20]) }
        #expect(throws: MultiformatsError.varintTooLong) { try Multihash(bytes: Array(repeating: 0xFF, count: 12)) }
    }
}
