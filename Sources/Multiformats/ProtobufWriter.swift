/// Builds a protobuf message in wire format, field by field, in exactly the order written.
///
/// Emitting fields in caller order matters: dag-pb requires Links (field 2) before Data
/// (field 1), which generated protobuf code would not produce.
public struct ProtobufWriter: Sendable {
    /// The encoded message so far.
    public private(set) var bytes: [UInt8] = []

    /// Creates an empty writer.
    public init() {}

    /// Appends a varint field (wire type 0). Negative `int32`/`int64` values must be
    /// passed as their two's-complement `UInt64`, as protobuf does.
    public mutating func writeVarint(field: Int, _ value: UInt64) {
        writeTag(field: field, wireType: .varint)
        Varint.encode(value, into: &bytes)
    }

    /// Appends a bool field as a varint 0 or 1.
    public mutating func writeBool(field: Int, _ value: Bool) {
        writeVarint(field: field, value ? 1 : 0)
    }

    /// Appends a length-delimited field (wire type 2) holding `value`.
    public mutating func writeBytes(field: Int, _ value: some Collection<UInt8>) {
        writeTag(field: field, wireType: .lengthDelimited)
        Varint.encode(UInt64(value.count), into: &bytes)
        bytes.append(contentsOf: value)
    }

    /// Appends a string field as its UTF-8 bytes.
    public mutating func writeString(field: Int, _ value: String) {
        writeBytes(field: field, Array(value.utf8))
    }

    /// Appends a little-endian 32-bit field (wire type 5), e.g. `fixed32` or a `float`'s bit pattern.
    public mutating func writeFixed32(field: Int, _ value: UInt32) {
        writeTag(field: field, wireType: .fixed32)
        for shift in stride(from: 0, to: 32, by: 8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }

    /// Appends a little-endian 64-bit field (wire type 1), e.g. `fixed64` or a `double`'s bit pattern.
    public mutating func writeFixed64(field: Int, _ value: UInt64) {
        writeTag(field: field, wireType: .fixed64)
        for shift in stride(from: 0, to: 64, by: 8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    /// Appends an embedded message field built by `build` on a fresh nested writer.
    public mutating func writeMessage(field: Int, _ build: (inout ProtobufWriter) throws -> Void) rethrows {
        var nested = ProtobufWriter()
        try build(&nested)
        writeBytes(field: field, nested.bytes)
    }

    private mutating func writeTag(field: Int, wireType: ProtobufWireType) {
        Varint.encode(UInt64(field) << 3 | UInt64(wireType.rawValue), into: &bytes)
    }
}
