/// The bit-packing encodings of RFC 4648 (base32 and base64 families): each character carries
/// `bitsPerCharacter` bits, written most significant first.
///
/// Decoding is strict so each byte string has one accepted text form: unused trailing bits
/// must be zero, lengths no encoder produces are refused, and "=" is only accepted
/// (and then required) in padded variants.
struct RFC4648Coder: Sendable {
    let name: String
    let alphabet: [UInt8]
    let bitsPerCharacter: Int
    let padded: Bool
    private let values: [Int8]

    init(name: String, alphabet: String, padded: Bool, caseInsensitive: Bool) {
        self.name = name
        self.alphabet = Array(alphabet.utf8)
        self.bitsPerCharacter = self.alphabet.count == 32 ? 5 : 6
        self.padded = padded
        var values = [Int8](repeating: -1, count: 128)
        for (digit, character) in self.alphabet.enumerated() {
            values[Int(character)] = Int8(digit)
            if caseInsensitive {
                values[Int(RadixCoder.lowercased(character))] = Int8(digit)
                values[Int(RadixCoder.uppercased(character))] = Int8(digit)
            }
        }
        self.values = values
    }

    /// Characters per padded block: 8 for base32, 4 for base64.
    private var blockLength: Int { bitsPerCharacter == 5 ? 8 : 4 }

    func encode(_ bytes: some Collection<UInt8>) -> String {
        var characters: [UInt8] = []
        characters.reserveCapacity((bytes.count * 8 + bitsPerCharacter - 1) / bitsPerCharacter + blockLength)
        let mask = UInt32(1 << bitsPerCharacter) - 1
        var buffer: UInt32 = 0
        var bufferedBits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bufferedBits += 8
            while bufferedBits >= bitsPerCharacter {
                bufferedBits -= bitsPerCharacter
                characters.append(alphabet[Int((buffer >> UInt32(bufferedBits)) & mask)])
            }
            buffer &= (1 << UInt32(bufferedBits)) - 1
        }
        if bufferedBits > 0 {
            characters.append(alphabet[Int((buffer << UInt32(bitsPerCharacter - bufferedBits)) & mask)])
        }
        if padded {
            while characters.count % blockLength != 0 {
                characters.append(UInt8(ascii: "="))
            }
        }
        return String(decoding: characters, as: UTF8.self)
    }

    func decode(_ text: some StringProtocol) throws(MultiformatsError) -> [UInt8] {
        var characters = Array(text.utf8)
        if padded {
            guard characters.count % blockLength == 0 else { throw .invalidEncodingLength(encoding: name) }
            let padding = characters.reversed().prefix(while: { $0 == UInt8(ascii: "=") }).count
            characters.removeLast(padding)
            // The unpadded length must be one an encoder produces, and it must need exactly this padding.
            let expectedPadding = (blockLength - characters.count % blockLength) % blockLength
            guard padding == expectedPadding else { throw .invalidEncodingLength(encoding: name) }
        }
        let leftoverBits = (characters.count * bitsPerCharacter) % 8
        guard leftoverBits < bitsPerCharacter else { throw .invalidEncodingLength(encoding: name) }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count * bitsPerCharacter / 8)
        var buffer: UInt32 = 0
        var bufferedBits = 0
        for character in characters {
            guard character < 128, values[Int(character)] >= 0 else {
                throw .invalidCharacter(RadixCoder.displayable(character), encoding: name)
            }
            buffer = (buffer << UInt32(bitsPerCharacter)) | UInt32(values[Int(character)])
            bufferedBits += bitsPerCharacter
            if bufferedBits >= 8 {
                bufferedBits -= 8
                bytes.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bufferedBits)))
                buffer &= (1 << UInt32(bufferedBits)) - 1
            }
        }
        guard buffer == 0 else { throw .invalidEncodingLength(encoding: name) }
        return bytes
    }
}
