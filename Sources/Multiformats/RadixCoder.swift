/// Big-integer base conversion, as used by base58btc and base36: the input bytes are read
/// as one big-endian number and written in the target radix, and each leading zero byte
/// becomes one leading "zero digit" character.
///
/// Both directions are quadratic in the input length, which is fine for the short values
/// (CIDs, peer IDs, keys) these encodings carry.
struct RadixCoder: Sendable {
    let name: String
    let alphabet: [UInt8]
    /// Maps an ASCII byte to its digit value, or -1.
    private let values: [Int8]

    init(name: String, alphabet: String, caseInsensitive: Bool) {
        self.name = name
        self.alphabet = Array(alphabet.utf8)
        var values = [Int8](repeating: -1, count: 128)
        for (digit, character) in self.alphabet.enumerated() {
            values[Int(character)] = Int8(digit)
            if caseInsensitive {
                values[Int(Self.lowercased(character))] = Int8(digit)
                values[Int(Self.uppercased(character))] = Int8(digit)
            }
        }
        self.values = values
    }

    var radix: Int { alphabet.count }

    func encode(_ bytes: some Collection<UInt8>) -> String {
        let leadingZeros = bytes.prefix(while: { $0 == 0 }).count
        var digits: [UInt8] = [] // little-endian digits in `radix`
        digits.reserveCapacity(bytes.count * 2)
        for byte in bytes.dropFirst(leadingZeros) {
            var carry = Int(byte)
            for index in digits.indices {
                carry += Int(digits[index]) << 8
                digits[index] = UInt8(carry % radix)
                carry /= radix
            }
            while carry > 0 {
                digits.append(UInt8(carry % radix))
                carry /= radix
            }
        }
        var characters = [UInt8](repeating: alphabet[0], count: leadingZeros)
        characters.reserveCapacity(leadingZeros + digits.count)
        for digit in digits.reversed() {
            characters.append(alphabet[Int(digit)])
        }
        return String(decoding: characters, as: UTF8.self)
    }

    func decode(_ text: some StringProtocol) throws(MultiformatsError) -> [UInt8] {
        let characters = Array(text.utf8)
        let leadingZeros = characters.prefix(while: { value(of: $0) == 0 }).count
        var bytes: [UInt8] = [] // little-endian base-256
        bytes.reserveCapacity(characters.count)
        for character in characters.dropFirst(leadingZeros) {
            guard let digit = value(of: character) else {
                throw .invalidCharacter(Self.displayable(character), encoding: name)
            }
            var carry = digit
            for index in bytes.indices {
                carry += Int(bytes[index]) * radix
                bytes[index] = UInt8(carry & 0xFF)
                carry >>= 8
            }
            while carry > 0 {
                bytes.append(UInt8(carry & 0xFF))
                carry >>= 8
            }
        }
        return [UInt8](repeating: 0, count: leadingZeros) + bytes.reversed()
    }

    private func value(of character: UInt8) -> Int? {
        guard character < 128 else { return nil }
        let value = values[Int(character)]
        return value < 0 ? nil : Int(value)
    }

    static func displayable(_ byte: UInt8) -> Character {
        byte < 128 ? Character(Unicode.Scalar(byte)) : "\u{FFFD}"
    }

    static func lowercased(_ character: UInt8) -> UInt8 {
        (UInt8(ascii: "A") ... UInt8(ascii: "Z")).contains(character) ? character + 32 : character
    }

    static func uppercased(_ character: UInt8) -> UInt8 {
        (UInt8(ascii: "a") ... UInt8(ascii: "z")).contains(character) ? character - 32 : character
    }
}
