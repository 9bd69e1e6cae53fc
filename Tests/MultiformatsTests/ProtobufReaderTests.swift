import Testing
@testable import Multiformats

@Suite struct ProtobufReaderTests {
    private func readAll(_ bytes: [UInt8]) throws -> [ProtobufField] {
        var reader = ProtobufReader(bytes)
        var fields: [ProtobufField] = []
        while let field = try reader.next() { fields.append(field) }
        return fields
    }

    @Test func readsWhatTheWriterWrites() throws {
        var writer = ProtobufWriter()
        writer.writeBytes(field: 2, [1, 2, 3])
        writer.writeVarint(field: 1, 150)
        writer.writeFixed32(field: 5, 0xDEAD_BEEF)
        writer.writeFixed64(field: 6, UInt64.max)
        writer.writeVarint(field: 7, UInt64.max) // 10-byte protobuf varint, e.g. int64 -1
        writer.writeString(field: 536_870_911, "max field")
        let fields = try readAll(writer.bytes)
        #expect(fields.map(\.field) == [2, 1, 5, 6, 7, 536_870_911])
        #expect(fields[0].value == .lengthDelimited([1, 2, 3][...]))
        #expect(fields[1].value == .varint(150))
        #expect(fields[2].value == .fixed32(0xDEAD_BEEF))
        #expect(fields[3].value == .fixed64(UInt64.max))
        #expect(fields[4].value == .varint(UInt64.max))
        guard case .lengthDelimited(let text) = fields[5].value else {
            Issue.record("expected bytes")
            return
        }
        #expect(String(decoding: text, as: UTF8.self) == "max field")
    }

    @Test func readsFromSliceWithNonZeroStart() throws {
        let buffer: [UInt8] = [0xFF, 0xFF, 0x08, 0x96, 0x01, 0x12, 0x01, 0x09]
        var reader = ProtobufReader(buffer[2...])
        #expect(try reader.next() == ProtobufField(field: 1, value: .varint(150)))
        let second = try #require(try reader.next())
        #expect(second.value == .lengthDelimited(buffer[7 ..< 8]))
        #expect(try reader.next() == nil)
        #expect(reader.isAtEnd)
    }

    @Test func readsNestedMessages() throws {
        let outer = try readAll([0x1A, 0x03, 0x08, 0x96, 0x01])
        guard case .lengthDelimited(let inner) = try #require(outer.first).value else {
            Issue.record("expected an embedded message")
            return
        }
        var reader = ProtobufReader(inner)
        #expect(try reader.next() == ProtobufField(field: 1, value: .varint(150)))
    }

    @Test func rejectsTruncatedInput() {
        #expect(throws: MultiformatsError.protobufTruncated) { try readAll([0x08]) }
        #expect(throws: MultiformatsError.protobufTruncated) { try readAll([0x08, 0x96]) }
        #expect(throws: MultiformatsError.protobufTruncated) { try readAll([0x0D, 0x01, 0x02]) }
        #expect(throws: MultiformatsError.protobufTruncated) { try readAll([0x09, 1, 2, 3, 4, 5, 6, 7]) }
        #expect(throws: MultiformatsError.protobufTruncated) { try readAll([0x12]) }
    }

    @Test func rejectsLengthPastTheEnd() {
        #expect(throws: MultiformatsError.protobufLengthOutOfRange(declared: 5, available: 2)) {
            try readAll([0x12, 0x05, 0x01, 0x02])
        }
        // A huge declared length must not overflow or allocate.
        #expect(throws: MultiformatsError.self) {
            try readAll([0x12, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        }
    }

    @Test func rejectsBadWireTypesAndFieldZero() {
        #expect(throws: MultiformatsError.protobufBadWireType(3)) { try readAll([0x0B]) }
        #expect(throws: MultiformatsError.protobufBadWireType(4)) { try readAll([0x0C]) }
        #expect(throws: MultiformatsError.protobufBadWireType(6)) { try readAll([0x0E]) }
        #expect(throws: MultiformatsError.protobufBadWireType(7)) { try readAll([0x0F]) }
        #expect(throws: MultiformatsError.protobufBadFieldNumber(0)) { try readAll([0x00, 0x01]) }
        #expect(throws: MultiformatsError.protobufBadFieldNumber(1 << 29)) {
            try readAll(Varint.encode(UInt64(1) << 32))
        }
    }

    @Test func rejectsElevenByteVarint() {
        let tooLong: [UInt8] = [0x08] + Array(repeating: 0xFF, count: 10) + [0x01]
        #expect(throws: MultiformatsError.varintTooLong) { try readAll(tooLong) }
        let overflowing: [UInt8] = [0x08] + Array(repeating: 0xFF, count: 9) + [0x02]
        #expect(throws: MultiformatsError.varintTooLong) { try readAll(overflowing) }
    }

    @Test func decodesPackedVarints() throws {
        // Packed repeated [3, 270, 86942] from the protobuf encoding guide: 03 8e 02 9e a7 05.
        let packed: [UInt8] = [0x03, 0x8E, 0x02, 0x9E, 0xA7, 0x05]
        #expect(try ProtobufWire.decodePackedVarints(packed[...]) == [3, 270, 86942])
        #expect(try ProtobufWire.decodePackedVarints([UInt8]()[...]) == [])
        #expect(throws: MultiformatsError.protobufTruncated) { try ProtobufWire.decodePackedVarints([0x03, 0x8E][...]) }
        // Protobuf accepts non-minimal varints (unlike multiformats `Varint`).
        #expect(try ProtobufWire.decodeVarint([0x81, 0x00][...]) == (1, 2))
    }

    @Test func survivesGarbage() {
        var random = SeededBytes(seed: 42)
        var fieldsRead = 0
        for round in 0 ..< 3000 {
            let input = random.bytes(after: [UInt8(truncatingIfNeeded: round)], maxExtra: 32)
            var reader = ProtobufReader(input)
            while let field = try? reader.next() {
                fieldsRead += 1
                if case .lengthDelimited(let body) = field.value {
                    #expect(body.startIndex >= input.startIndex && body.endIndex <= input.endIndex)
                }
            }
        }
        #expect(fieldsRead > 0)
    }
}
