import NetworkAddresses
/// What a host written in a URL or pattern turned out to be after normalisation.
public enum NormalizedHost: Hashable, Sendable, CustomStringConvertible {
    /// A DNS name: lower case, no trailing dot.
    case name(String)
    /// An IP literal in any of the spellings resolvers accept.
    case address(IPAddress)

    /// The canonical text (`example.com`, `127.0.0.1`, `::1`).
    public var description: String {
        switch self {
        case .name(let name): name
        case .address(let address): address.description
        }
    }

    /// The text for a URL authority (IPv6 in brackets).
    public var urlHost: String {
        switch self {
        case .name(let name): name
        case .address(let address): address.urlHost
        }
    }

    /// Whether this is `localhost` or a name under `.localhost` (always loopback, RFC 6761).
    public var isLocalhostName: Bool {
        guard case .name(let name) = self else { return false }
        return HostAuthority.isLoopbackName(name)
    }
}

/// Why a host spelling was refused.
enum HostSpellingError: Error, Equatable {
    case empty
    case invalidCharacter(Character)
    case badIPv6
    case badIPv4
    case labelTooLong
    case nameTooLong
    case emptyLabel
}

extension HostSpellingError: CustomStringConvertible {
    var description: String {
        switch self {
        case .empty: "the host is empty"
        case .invalidCharacter(let character):
            "the host contains \(character.unicodeScalars.allSatisfy { $0.value >= 0x21 && $0.value < 0x7F } ? "'\(character)'" : "a character that is not allowed"); use letters, digits, '-' and '.' (international names in their xn-- form)"
        case .badIPv6: "the host is not a valid IPv6 address"
        case .badIPv4: "the host looks like an IPv4 address but is not a valid one"
        case .labelTooLong: "a part of the host name is longer than 63 characters"
        case .nameTooLong: "the host name is longer than 253 characters"
        case .emptyLabel: "the host name has an empty part (two dots in a row, or a leading dot)"
        }
    }
}

extension NormalizedHost {
    /// Normalises a host as written in a URL authority: `[v6]` with an optional zone id
    /// (`%25eth0` or `%eth0`, dropped), IPv4 in decimal, octal, hex and short forms (`2130706433`,
    /// `0177.0.0.1`, `0x7f.1`, `127.1`), names in any case with an optional trailing dot.
    ///
    /// A host whose last label is numeric must be a valid IPv4 address, exactly as browsers treat
    /// it, so no spelling can reach a resolver that would read it differently.
    init(hostSpelling raw: String) throws(HostSpellingError) {
        guard !raw.isEmpty else { throw .empty }
        if raw.hasPrefix("[") {
            guard raw.hasSuffix("]"), raw.count >= 3 else { throw .badIPv6 }
            var inner = String(raw.dropFirst().dropLast())
            if let percent = inner.firstIndex(of: "%") {
                inner = String(inner[..<percent])
            }
            guard let address = IPAddress(strict: inner), case .v6 = address else { throw .badIPv6 }
            self = .address(address)
            return
        }
        var text = raw.lowercased()
        if text.hasSuffix(".") { text.removeLast() }
        guard !text.isEmpty else { throw .empty }
        for character in text {
            let allowed = character.isASCII && (character.isLetter || character.isNumber || character == "-" || character == "." || character == "_")
            if !allowed { throw .invalidCharacter(character) }
        }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        if labels.contains(where: \.isEmpty) { throw .emptyLabel }
        if let last = labels.last, Self.looksNumeric(last) {
            guard let value = Self.parseLooseIPv4(labels) else { throw .badIPv4 }
            self = .address(.v4(value))
            return
        }
        if labels.contains(where: { $0.count > 63 }) { throw .labelTooLong }
        if text.count > 253 { throw .nameTooLong }
        self = .name(text)
    }

    /// Whether a label is a number in decimal or `0x` hex (the WHATWG "ends in a number" rule).
    static func looksNumeric(_ label: Substring) -> Bool {
        if label.allSatisfy({ $0.isASCII && $0.isNumber }) { return true }
        if label.hasPrefix("0x") {
            return label.dropFirst(2).allSatisfy { $0.isHexDigit && $0.isASCII }
        }
        return false
    }

    /// Parses one to four numeric parts the way `inet_aton` does: each part decimal, octal
    /// (leading `0`) or hex (`0x`), the last part filling the remaining bytes.
    static func parseLooseIPv4(_ parts: [Substring]) -> UInt32? {
        guard (1...4).contains(parts.count) else { return nil }
        var numbers: [UInt64] = []
        for part in parts {
            guard let number = parseNumber(part) else { return nil }
            numbers.append(number)
        }
        var value: UInt64 = 0
        for (index, number) in numbers.dropLast().enumerated() {
            guard number <= 0xFF else { return nil }
            value |= number << (24 - 8 * UInt64(index))
        }
        guard let last = numbers.last else { return nil }
        let remainingBits = UInt64(8 * (5 - parts.count))
        guard last < (1 << remainingBits) else { return nil }
        value |= last
        return UInt32(truncatingIfNeeded: value)
    }

    private static func parseNumber(_ part: Substring) -> UInt64? {
        guard !part.isEmpty, part.count <= 40 else { return nil }
        var digits = part
        var radix: UInt64 = 10
        if digits.hasPrefix("0x") {
            radix = 16
            digits = digits.dropFirst(2)
            if digits.isEmpty { return 0 }
        } else if digits.count > 1 && digits.hasPrefix("0") {
            radix = 8
            digits = digits.dropFirst()
        }
        var value: UInt64 = 0
        for character in digits {
            guard let digit = character.hexDigitValue, UInt64(digit) < radix else { return nil }
            value = value * radix + UInt64(digit)
            if value > UInt64(UInt32.max) { return nil }
        }
        return value
    }
}
