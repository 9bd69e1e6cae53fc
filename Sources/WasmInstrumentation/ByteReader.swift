/// A bounds-checked cursor over module bytes that decodes the WebAssembly primitive encodings.
///
/// Offsets are absolute indices into the module, so errors point at the right byte.
struct ByteReader {
    let bytes: [UInt8]
    /// Absolute index of the next byte to read.
    private(set) var position: Int
    /// Absolute index one past the last byte this reader may read.
    let end: Int

    init(_ bytes: [UInt8], from start: Int, to end: Int) {
        self.bytes = bytes
        self.position = start
        self.end = min(end, bytes.count)
    }

    var isAtEnd: Bool { position >= end }

    func error(_ reason: String, at offset: Int? = nil) -> InstrumentationError {
        InstrumentationError(reason, offset: offset ?? position)
    }

    mutating func readByte() throws(InstrumentationError) -> UInt8 {
        guard position < end else { throw error("unexpected end of data") }
        let byte = bytes[position]
        position += 1
        return byte
    }

    mutating func skip(_ count: Int) throws(InstrumentationError) {
        guard count >= 0, count <= end - position else {
            throw error("unexpected end of data (needed \(count) more bytes)")
        }
        position += count
    }

    /// Reads an unsigned LEB128 value of at most `bits` bits (32 or 64).
    mutating func readUnsigned(bits: Int = 32) throws(InstrumentationError) -> UInt64 {
        let start = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let maxBytes = (bits + 6) / 7
        for index in 0..<maxBytes {
            let byte = try readByte()
            let payload = UInt64(byte & 0x7F)
            if index == maxBytes - 1 {
                let usedBits = bits - 7 * index
                if usedBits < 7, payload >> UInt64(usedBits) != 0 {
                    throw error("integer too large", at: start)
                }
            }
            result |= payload << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        throw error("integer representation too long", at: start)
    }

    mutating func readU32() throws(InstrumentationError) -> UInt32 {
        UInt32(truncatingIfNeeded: try readUnsigned(bits: 32))
    }

    /// Skips a signed LEB128 value of at most `bits` bits (32, 33 or 64) and returns it.
    @discardableResult
    mutating func readSigned(bits: Int) throws(InstrumentationError) -> Int64 {
        let start = position
        var result: Int64 = 0
        var shift: Int64 = 0
        let maxBytes = (bits + 6) / 7
        for _ in 0..<maxBytes {
            let byte = try readByte()
            result |= Int64(byte & 0x7F) << shift
            shift += 7
            if byte & 0x80 == 0 {
                if shift < 64, byte & 0x40 != 0 { result |= -1 << shift }
                return result
            }
        }
        throw error("integer representation too long", at: start)
    }

    /// Reads a vector length and rejects counts that cannot possibly fit in the remaining bytes.
    mutating func readCount(minimumElementSize: Int = 1) throws(InstrumentationError) -> Int {
        let start = position
        let count = Int(try readU32())
        guard count <= (end - position) / max(minimumElementSize, 1) else {
            throw error("vector length \(count) exceeds the remaining data", at: start)
        }
        return count
    }

    /// Skips a length-prefixed byte string (a name or a data payload).
    mutating func skipByteString() throws(InstrumentationError) {
        let length = try readCount()
        try skip(length)
    }

    /// Reads a length-prefixed UTF-8 name.
    mutating func readName() throws(InstrumentationError) -> [UInt8] {
        let length = try readCount()
        let start = position
        try skip(length)
        return Array(bytes[start..<position])
    }

    /// Skips a value type: a one-byte type or `0x63`/`0x64` followed by a heap type.
    mutating func skipValueType() throws(InstrumentationError) {
        let byte = try readByte()
        if byte == 0x63 || byte == 0x64 {
            try readSigned(bits: 33)
        }
    }

    /// Skips table or memory limits: a flags byte, a minimum and an optional maximum.
    mutating func skipLimits() throws(InstrumentationError) {
        let flags = try readByte()
        guard flags & ~0x07 == 0 else { throw error("malformed limits flags 0x\(String(flags, radix: 16))", at: position - 1) }
        _ = try readUnsigned(bits: 64)
        if flags & 0x01 != 0 { _ = try readUnsigned(bits: 64) }
    }
}
