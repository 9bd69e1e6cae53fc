import Testing
@testable import Multiformats

@Suite struct ProtobufWriterTests {
    /// Examples from the protobuf encoding guide (protobuf.dev/programming-guides/encoding):
    /// `a: 150` in field 1 is `08 96 01`; `b: "testing"` in field 2 is `12 07 74 65 73 74 69 6e 67`.
    @Test func encodesProtobufGuideExamples() {
        var writer = ProtobufWriter()
        writer.writeVarint(field: 1, 150)
        #expect(writer.bytes == [0x08, 0x96, 0x01])

        var stringWriter = ProtobufWriter()
        stringWriter.writeString(field: 2, "testing")
        #expect(stringWriter.bytes == [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6E, 0x67])
    }

    /// Guide example: message Test3 { Test1 c = 3; } with c.a = 150 is `1a 03 08 96 01`.
    @Test func encodesNestedMessage() {
        var writer = ProtobufWriter()
        writer.writeMessage(field: 3) { nested in nested.writeVarint(field: 1, 150) }
        #expect(writer.bytes == [0x1A, 0x03, 0x08, 0x96, 0x01])
    }

    @Test func keepsCallerFieldOrder() {
        var writer = ProtobufWriter()
        writer.writeBytes(field: 2, [0xAA])
        writer.writeBytes(field: 1, [0xBB])
        #expect(writer.bytes == [0x12, 0x01, 0xAA, 0x0A, 0x01, 0xBB])
    }

    @Test func encodesFixedWidthLittleEndian() {
        var writer = ProtobufWriter()
        writer.writeFixed32(field: 1, 0x0102_0304)
        writer.writeFixed64(field: 2, 0x0102_0304_0506_0708)
        #expect(writer.bytes == [0x0D, 0x04, 0x03, 0x02, 0x01, 0x11, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01])
    }

    @Test func encodesBoolAndLargeFieldNumbers() {
        var writer = ProtobufWriter()
        writer.writeBool(field: 16, true)
        // Tag for field 16, wire type 0 is 16 << 3 = 128 -> varint 80 01.
        #expect(writer.bytes == [0x80, 0x01, 0x01])
    }

    @Test func lengthPrefixesMessages() {
        let message = [UInt8](repeating: 7, count: 300)
        let framed = ProtobufWire.lengthPrefixed(message)
        #expect(Array(framed.prefix(2)) == [0xAC, 0x02])
        #expect(Array(framed.dropFirst(2)) == message)
    }
}
