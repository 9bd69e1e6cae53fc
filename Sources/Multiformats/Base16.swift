/// Hexadecimal (base16) encoding, lower case on output, either case on input.
public enum Base16 {
    private static let digits = Array("0123456789abcdef".utf8)

    /// Encodes `bytes` as lower-case hex.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var characters: [UInt8] = []
        characters.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            characters.append(digits[Int(byte >> 4)])
            characters.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: characters, as: UTF8.self)
    }

    /// Decodes hex text (upper or lower case, no separators).
    /// - Throws: `MultiformatsError.invalidCharacter` or `.invalidEncodingLength` (odd length).
    public static func decode(_ text: some StringProtocol) throws(MultiformatsError) -> [UInt8] {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { throw .invalidEncodingLength(encoding: "base16") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            let high = try nibble(utf8[index])
            let low = try nibble(utf8[index + 1])
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func nibble(_ character: UInt8) throws(MultiformatsError) -> UInt8 {
        switch character {
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): return character - UInt8(ascii: "0")
        case UInt8(ascii: "a") ... UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A") ... UInt8(ascii: "F"): return character - UInt8(ascii: "A") + 10
        default: throw .invalidCharacter(Character(Unicode.Scalar(character)), encoding: "base16")
        }
    }
}
