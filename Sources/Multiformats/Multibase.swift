/// Multibase: a one-character prefix naming the base encoding of the text that follows
/// (github.com/multiformats/multibase). The raw value is the prefix character.
///
/// Decoding of the case-insensitive bases (base16, base32, base36) accepts either case,
/// as the multibase spec asks.
public enum Multibase: Character, CaseIterable, Sendable {
    /// Hex, lower case ('f').
    case base16 = "f"
    /// Hex, upper case ('F').
    case base16Upper = "F"
    /// RFC 4648 base32, lower case, no padding ('b'): the CIDv1 default.
    case base32 = "b"
    /// RFC 4648 base32, upper case, no padding ('B').
    case base32Upper = "B"
    /// RFC 4648 base32, lower case, with padding ('c').
    case base32Pad = "c"
    /// RFC 4648 base32, upper case, with padding ('C').
    case base32PadUpper = "C"
    /// Base36, lower case ('k'): used for libp2p keys and IPNS names in DNS labels.
    case base36 = "k"
    /// Base36, upper case ('K').
    case base36Upper = "K"
    /// Base58 with the Bitcoin alphabet ('z').
    case base58btc = "z"
    /// RFC 4648 base64, no padding ('m').
    case base64 = "m"
    /// RFC 4648 base64, with padding ('M').
    case base64Pad = "M"
    /// RFC 4648 base64url, no padding ('u').
    case base64URL = "u"
    /// RFC 4648 base64url, with padding ('U').
    case base64URLPad = "U"

    /// The prefix character.
    public var prefix: Character { rawValue }

    /// The multibase table name, e.g. "base32" or "base64urlpad".
    public var name: String {
        switch self {
        case .base16: return "base16"
        case .base16Upper: return "base16upper"
        case .base32: return "base32"
        case .base32Upper: return "base32upper"
        case .base32Pad: return "base32pad"
        case .base32PadUpper: return "base32padupper"
        case .base36: return "base36"
        case .base36Upper: return "base36upper"
        case .base58btc: return "base58btc"
        case .base64: return "base64"
        case .base64Pad: return "base64pad"
        case .base64URL: return "base64url"
        case .base64URLPad: return "base64urlpad"
        }
    }

    /// Encodes `bytes` with the multibase prefix, e.g. `Multibase.encode(cid.bytes, as: .base32)`.
    public static func encode(_ bytes: some Collection<UInt8>, as base: Multibase) -> String {
        String(base.prefix) + base.encodeWithoutPrefix(bytes)
    }

    /// Decodes multibase text: reads the prefix, then decodes the rest in that base.
    /// - Throws: `MultiformatsError.multibaseEmpty`, `.multibaseUnknownPrefix`, or a decoding error.
    public static func decode(_ text: some StringProtocol) throws(MultiformatsError) -> (base: Multibase, bytes: [UInt8]) {
        guard let first = text.first else { throw .multibaseEmpty }
        guard let base = Multibase(rawValue: first) else { throw .multibaseUnknownPrefix(first) }
        return (base, try base.decodeWithoutPrefix(text.dropFirst()))
    }

    /// Encodes `bytes` in this base with no prefix character.
    public func encodeWithoutPrefix(_ bytes: some Collection<UInt8>) -> String {
        switch self {
        case .base16: return Base16.encode(bytes)
        case .base16Upper: return Base16.encode(bytes).uppercased()
        case .base36: return Base36.encode(bytes)
        case .base36Upper: return Base36.encode(bytes).uppercased()
        case .base58btc: return Base58.encode(bytes)
        case .base32, .base32Pad: return Self.base32Coder(padded: self == .base32Pad).encode(bytes)
        case .base32Upper, .base32PadUpper:
            return Self.base32Coder(padded: self == .base32PadUpper).encode(bytes).uppercased()
        case .base64: return Self.base64Coder.encode(bytes)
        case .base64Pad: return Self.base64PadCoder.encode(bytes)
        case .base64URL: return Self.base64URLCoder.encode(bytes)
        case .base64URLPad: return Self.base64URLPadCoder.encode(bytes)
        }
    }

    /// Decodes text in this base that has no prefix character.
    public func decodeWithoutPrefix(_ text: some StringProtocol) throws(MultiformatsError) -> [UInt8] {
        switch self {
        case .base16, .base16Upper: return try Base16.decode(text)
        case .base36, .base36Upper: return try Base36.decode(text)
        case .base58btc: return try Base58.decode(text)
        case .base32, .base32Upper: return try Self.base32Coder(padded: false).decode(text)
        case .base32Pad, .base32PadUpper: return try Self.base32Coder(padded: true).decode(text)
        case .base64: return try Self.base64Coder.decode(text)
        case .base64Pad: return try Self.base64PadCoder.decode(text)
        case .base64URL: return try Self.base64URLCoder.decode(text)
        case .base64URLPad: return try Self.base64URLPadCoder.decode(text)
        }
    }

    private static func base32Coder(padded: Bool) -> RFC4648Coder {
        padded ? base32PadCoder : base32NoPadCoder
    }

    private static let base32Alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    private static let base64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    private static let base64URLAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

    private static let base32NoPadCoder = RFC4648Coder(name: "base32", alphabet: base32Alphabet, padded: false, caseInsensitive: true)
    private static let base32PadCoder = RFC4648Coder(name: "base32pad", alphabet: base32Alphabet, padded: true, caseInsensitive: true)
    private static let base64Coder = RFC4648Coder(name: "base64", alphabet: base64Alphabet, padded: false, caseInsensitive: false)
    private static let base64PadCoder = RFC4648Coder(name: "base64pad", alphabet: base64Alphabet, padded: true, caseInsensitive: false)
    private static let base64URLCoder = RFC4648Coder(name: "base64url", alphabet: base64URLAlphabet, padded: false, caseInsensitive: false)
    private static let base64URLPadCoder = RFC4648Coder(name: "base64urlpad", alphabet: base64URLAlphabet, padded: true, caseInsensitive: false)
}
