/// The protobuf wire types this reader and `ProtobufWriter` support.
///
/// Groups (3 and 4) are deprecated and not used by any libp2p or IPFS message, so they are rejected.
public enum ProtobufWireType: Int, Sendable {
    /// Varint-encoded integer or bool.
    case varint = 0
    /// Little-endian 8-byte value.
    case fixed64 = 1
    /// Varint length followed by that many bytes (bytes, strings, embedded messages, packed repeats).
    case lengthDelimited = 2
    /// Little-endian 4-byte value.
    case fixed32 = 5
}

/// One field read from a protobuf message.
public struct ProtobufField: Sendable, Equatable {
    /// The value of a field, by wire type.
    public enum Value: Sendable, Equatable {
        /// A varint (int32/64, uint32/64, bool, enum; sint values still zig-zag encoded).
        case varint(UInt64)
        /// A little-endian 64-bit value.
        case fixed64(UInt64)
        /// A little-endian 32-bit value.
        case fixed32(UInt32)
        /// The bytes of a length-delimited field, sliced from the reader's input (indices are the input's).
        case lengthDelimited(ArraySlice<UInt8>)
    }

    /// The field number (1 ... 2^29 - 1).
    public let field: Int
    /// The field's value.
    public let value: Value

    /// Creates a field.
    public init(field: Int, value: Value) {
        self.field = field
        self.value = value
    }
}

/// Reads the fields of a protobuf message one at a time.
///
/// Rejects truncated input, unsupported wire types, field number 0 and lengths past the end.
/// Unknown fields are returned like any other; callers skip what they do not use.
public struct ProtobufReader: Sendable {
    /// The largest field number protobuf allows.
    public static let maxFieldNumber: UInt64 = (1 << 29) - 1

    private let input: ArraySlice<UInt8>
    private var position: Int

    /// Creates a reader over a whole byte array.
    public init(_ bytes: [UInt8]) {
        self.init(bytes[...])
    }

    /// Creates a reader over a slice (which may have a non-zero start index).
    public init(_ bytes: ArraySlice<UInt8>) {
        input = bytes
        position = bytes.startIndex
    }

    /// True when every byte has been consumed.
    public var isAtEnd: Bool { position >= input.endIndex }

    /// Reads the next field, or returns nil at the end of the message.
    public mutating func next() throws(MultiformatsError) -> ProtobufField? {
        if isAtEnd { return nil }
        let tag = try readVarint()
        let fieldNumber = tag >> 3
        guard fieldNumber != 0, fieldNumber <= Self.maxFieldNumber else {
            throw .protobufBadFieldNumber(fieldNumber)
        }
        let wireTypeCode = Int(tag & 0x7)
        guard let wireType = ProtobufWireType(rawValue: wireTypeCode) else {
            throw .protobufBadWireType(wireTypeCode)
        }
        let field = Int(fieldNumber)
        switch wireType {
        case .varint:
            return ProtobufField(field: field, value: .varint(try readVarint()))
        case .fixed64:
            let raw = try take(8)
            var value: UInt64 = 0
            for (offset, byte) in raw.enumerated() { value |= UInt64(byte) << (8 * UInt64(offset)) }
            return ProtobufField(field: field, value: .fixed64(value))
        case .fixed32:
            let raw = try take(4)
            var value: UInt32 = 0
            for (offset, byte) in raw.enumerated() { value |= UInt32(byte) << (8 * UInt32(offset)) }
            return ProtobufField(field: field, value: .fixed32(value))
        case .lengthDelimited:
            let declared = try readVarint()
            let available = input.endIndex - position
            guard declared <= UInt64(available) else {
                throw .protobufLengthOutOfRange(declared: declared, available: available)
            }
            return ProtobufField(field: field, value: .lengthDelimited(try take(Int(declared))))
        }
    }

    private mutating func readVarint() throws(MultiformatsError) -> UInt64 {
        let decoded = try ProtobufWire.decodeVarint(input[position...])
        position += decoded.length
        return decoded.value
    }

    private mutating func take(_ count: Int) throws(MultiformatsError) -> ArraySlice<UInt8> {
        guard count <= input.endIndex - position else { throw .protobufTruncated }
        let slice = input[position ..< position + count]
        position += count
        return slice
    }
}

/// Helpers shared by protobuf users.
public enum ProtobufWire {
    /// `message` preceded by its length as an unsigned varint (the libp2p framing for protobuf messages).
    public static func lengthPrefixed(_ message: some Collection<UInt8>) -> [UInt8] {
        var framed = Varint.encode(UInt64(message.count))
        framed.append(contentsOf: message)
        return framed
    }

    /// Decodes one protobuf varint at the start of `bytes`.
    ///
    /// Protobuf varints differ from multiformats ones (`Varint`): they may use all 10 bytes
    /// (64 bits, e.g. negative int32/int64 values) and parsers accept non-minimal forms.
    /// - Throws: `MultiformatsError.protobufTruncated` or `.varintTooLong`.
    public static func decodeVarint(_ bytes: ArraySlice<UInt8>) throws(MultiformatsError) -> (value: UInt64, length: Int) {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            index += 1
            // The tenth byte may only carry the 64th bit.
            if shift == 63 && byte > 1 {
                throw .varintTooLong
            }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                return (value, index - bytes.startIndex)
            }
            shift += 7
        }
        throw .protobufTruncated
    }

    /// Decodes the body of a packed repeated varint field (e.g. UnixFS `blocksizes`).
    public static func decodePackedVarints(_ bytes: ArraySlice<UInt8>) throws(MultiformatsError) -> [UInt64] {
        var values: [UInt64] = []
        var rest = bytes
        while !rest.isEmpty {
            let decoded = try decodeVarint(rest)
            values.append(decoded.value)
            rest = rest.dropFirst(decoded.length)
        }
        return values
    }
}
