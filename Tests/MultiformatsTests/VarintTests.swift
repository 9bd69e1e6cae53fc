import Testing
@testable import Multiformats

@Suite struct VarintTests {
    /// Vectors from the multiformats unsigned-varint spec README (github.com/multiformats/unsigned-varint).
    static let specVectors: [(UInt64, [UInt8])] = [
        (1, [0x01]),
        (127, [0x7F]),
        (128, [0x80, 0x01]),
        (255, [0xFF, 0x01]),
        (300, [0xAC, 0x02]),
        (16384, [0x80, 0x80, 0x01]),
    ]

    @Test func encodesSpecVectors() {
        for (value, bytes) in Self.specVectors {
            #expect(Varint.encode(value) == bytes, "value \(value)")
            #expect(Varint.encodedLength(value) == bytes.count)
        }
    }

    @Test func decodesSpecVectors() throws {
        for (value, bytes) in Self.specVectors {
            let decoded = try Varint.decode(bytes)
            #expect(decoded.value == value)
            #expect(decoded.length == bytes.count)
        }
    }

    @Test func roundTripsBoundaries() throws {
        let values: [UInt64] = [0, 1, 0x7F, 0x80, 0x3FFF, 0x4000, UInt64(UInt32.max), Varint.maxValue]
        for value in values {
            let bytes = Varint.encode(value)
            let decoded = try Varint.decode(bytes)
            #expect(decoded.value == value)
            #expect(decoded.length == bytes.count)
        }
        #expect(Varint.encode(Varint.maxValue).count == 9)
    }

    @Test func appendsIntoExistingBuffer() {
        var buffer: [UInt8] = [0xAA]
        Varint.encode(300, into: &buffer)
        #expect(buffer == [0xAA, 0xAC, 0x02])
    }

    @Test func decodesFromSliceWithNonZeroStart() throws {
        let buffer: [UInt8] = [0xFF, 0xFF, 0xAC, 0x02, 0x07]
        let slice = buffer[2...]
        let decoded = try Varint.decode(slice)
        #expect(decoded.value == 300)
        #expect(decoded.length == 2)
    }

    @Test func rejectsTruncatedInput() {
        #expect(throws: MultiformatsError.varintTruncated) { try Varint.decode([UInt8]()) }
        #expect(throws: MultiformatsError.varintTruncated) { try Varint.decode([0x80, 0x80]) }
    }

    @Test func rejectsNonMinimalEncodings() {
        #expect(throws: MultiformatsError.varintNotMinimal) { try Varint.decode([0x80, 0x00]) }
        #expect(throws: MultiformatsError.varintNotMinimal) { try Varint.decode([0x81, 0x80, 0x00]) }
    }

    @Test func rejectsMoreThanNineBytes() {
        let tenBytes: [UInt8] = Array(repeating: 0xFF, count: 9) + [0x01]
        #expect(throws: MultiformatsError.varintTooLong) { try Varint.decode(tenBytes) }
        #expect(throws: MultiformatsError.varintTooLong) { try Varint.decode(Varint.encode(UInt64.max)) }
    }
}
