/// Reads DER tag-length-value items one after another: single-byte tags, definite lengths in
/// their shortest form, nothing past the end. Used for the few DER structures libp2p keys and
/// signatures use (RSA public keys, ECDSA signatures over secp256k1).
struct DERReader {
    private var rest: ArraySlice<UInt8>
    /// The most bytes a long-form length may take.
    private let maxLengthBytes: Int

    /// - Parameter maxLengthBytes: 1 to 3 (lengths up to 255 bytes, up to 16 MiB).
    init(_ bytes: ArraySlice<UInt8>, maxLengthBytes: Int = 3) {
        rest = bytes
        self.maxLengthBytes = maxLengthBytes
    }

    /// True when every byte has been read.
    var isAtEnd: Bool { rest.isEmpty }

    /// The content of the next item if its tag is `tag`; nil (and nothing consumed) otherwise.
    mutating func read(tag: UInt8) -> ArraySlice<UInt8>? {
        var cursor = rest
        guard cursor.popFirst() == tag, let first = cursor.popFirst() else { return nil }
        var length = 0
        if first < 0x80 {
            length = Int(first)
        } else {
            let count = Int(first & 0x7F)
            // No leading zero, and the long form only past 127.
            guard (1...maxLengthBytes).contains(count), cursor.count >= count, cursor.first != 0 else { return nil }
            for _ in 0..<count { length = length << 8 | Int(cursor.removeFirst()) }
            guard length >= 0x80 else { return nil }
        }
        guard cursor.count >= length else { return nil }
        let content = cursor.prefix(length)
        rest = cursor.dropFirst(length)
        return content
    }

    /// The contents of the two INTEGERs of a `SEQUENCE { INTEGER, INTEGER }` that fills all of
    /// `bytes` (an RSA public key's n and e, an ECDSA signature's r and s). The caller decides
    /// which integer contents it accepts.
    static func integerPair(_ bytes: ArraySlice<UInt8>, maxLengthBytes: Int = 3) -> (ArraySlice<UInt8>, ArraySlice<UInt8>)? {
        var outer = DERReader(bytes, maxLengthBytes: maxLengthBytes)
        guard let content = outer.read(tag: 0x30), outer.isAtEnd else { return nil }
        var pair = DERReader(content, maxLengthBytes: maxLengthBytes)
        guard let first = pair.read(tag: 0x02), let second = pair.read(tag: 0x02), pair.isAtEnd else { return nil }
        return (first, second)
    }
}
