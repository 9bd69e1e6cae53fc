/// Helpers for emitting the WebAssembly binary encodings.
extension Array where Element == UInt8 {
    /// Appends `value` as unsigned LEB128 (minimal length).
    mutating func appendUnsignedLEB(_ value: UInt64) {
        var remaining = value
        repeat {
            var byte = UInt8(remaining & 0x7F)
            remaining >>= 7
            if remaining != 0 { byte |= 0x80 }
            append(byte)
        } while remaining != 0
    }

    /// Appends `value` as unsigned LEB128 (minimal length).
    mutating func appendUnsignedLEB(_ value: UInt32) {
        appendUnsignedLEB(UInt64(value))
    }

    /// Appends `value` as unsigned LEB128 (minimal length).
    mutating func appendUnsignedLEB(_ value: Int) {
        appendUnsignedLEB(UInt64(value))
    }

    /// Appends `value` as signed LEB128 (minimal length).
    mutating func appendSignedLEB(_ value: Int64) {
        var remaining = value
        while true {
            let byte = UInt8(remaining & 0x7F)
            remaining >>= 7
            let signBitSet = byte & 0x40 != 0
            if (remaining == 0 && !signBitSet) || (remaining == -1 && signBitSet) {
                append(byte)
                return
            }
            append(byte | 0x80)
        }
    }

    /// Appends a length-prefixed byte string.
    mutating func appendByteString(_ bytes: [UInt8]) {
        appendUnsignedLEB(bytes.count)
        append(contentsOf: bytes)
    }

    /// Appends a section: id byte, LEB128 size, payload.
    mutating func appendSection(id: UInt8, payload: [UInt8]) {
        append(id)
        appendUnsignedLEB(payload.count)
        append(contentsOf: payload)
    }
}
