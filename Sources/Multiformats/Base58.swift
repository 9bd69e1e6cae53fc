/// Base58 with the Bitcoin alphabet ("base58btc"), used bare by CIDv0 strings and peer IDs.
public enum Base58 {
    static let coder = RadixCoder(
        name: "base58btc",
        alphabet: "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz",
        caseInsensitive: false
    )

    /// Encodes `bytes` in base58btc; each leading zero byte becomes a leading "1".
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        coder.encode(bytes)
    }

    /// Decodes base58btc text.
    /// - Throws: `MultiformatsError.invalidCharacter` for characters outside the alphabet (e.g. "0", "O", "I", "l").
    public static func decode(_ text: some StringProtocol) throws(MultiformatsError) -> [UInt8] {
        try coder.decode(text)
    }
}

/// Base36 with the lower-case alphabet "0-9a-z" (multibase 'k'), used for IPNS keys in DNS labels.
public enum Base36 {
    static let coder = RadixCoder(
        name: "base36",
        alphabet: "0123456789abcdefghijklmnopqrstuvwxyz",
        caseInsensitive: true
    )

    /// Encodes `bytes` in lower-case base36; each leading zero byte becomes a leading "0".
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        coder.encode(bytes)
    }

    /// Decodes base36 text in either case.
    public static func decode(_ text: some StringProtocol) throws(MultiformatsError) -> [UInt8] {
        try coder.decode(text)
    }
}
