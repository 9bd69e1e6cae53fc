/// Unsigned LEB128 varints as the multiformats "unsigned-varint" spec defines them.
///
/// Values are limited to 63 bits (at most 9 bytes) and decoding rejects non-minimal
/// encodings, so every value has exactly one valid byte form.
public enum Varint {
    /// The longest varint multiformats accepts, in bytes.
    public static let maxLength = 9

    /// The largest value multiformats varints can carry (2^63 - 1).
    public static let maxValue: UInt64 = (1 << 63) - 1

    /// Encodes `value` as a new byte array.
    ///
    /// Values above `maxValue` are still encoded (as 10 bytes, like plain LEB128), but
    /// `decode` will refuse them; callers encoding protocol fields never reach that range.
    public static func encode(_ value: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(encodedLength(value))
        encode(value, into: &bytes)
        return bytes
    }

    /// Appends the varint encoding of `value` to `buffer`.
    public static func encode(_ value: UInt64, into buffer: inout [UInt8]) {
        var remaining = value
        while remaining >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        buffer.append(UInt8(remaining))
    }

    /// The number of bytes `encode(value)` produces.
    public static func encodedLength(_ value: UInt64) -> Int {
        var length = 1
        var remaining = value >> 7
        while remaining != 0 {
            length += 1
            remaining >>= 7
        }
        return length
    }

    /// Decodes one varint from the start of `bytes`.
    ///
    /// Works on any collection, including slices whose `startIndex` is not zero.
    /// - Returns: the value and the number of bytes it occupied.
    /// - Throws: `MultiformatsError.varintTruncated`, `.varintTooLong` or `.varintNotMinimal`.
    public static func decode(_ bytes: some Collection<UInt8>) throws(MultiformatsError) -> (value: UInt64, length: Int) {
        var value: UInt64 = 0
        var length = 0
        for byte in bytes {
            if length == maxLength {
                throw .varintTooLong
            }
            value |= UInt64(byte & 0x7F) << (7 * UInt64(length))
            length += 1
            if byte & 0x80 == 0 {
                // A final byte of zero is only allowed when it is the whole varint (the value 0).
                if byte == 0 && length > 1 {
                    throw .varintNotMinimal
                }
                return (value, length)
            }
        }
        throw .varintTruncated
    }
}
