/// An IPv4 address as the four bytes stored in an `/ip4` multiaddr component.
public struct IPv4Address: Hashable, Sendable, CustomStringConvertible {
    /// The address in network byte order; always 4 bytes.
    public let bytes: [UInt8]

    /// Wraps 4 bytes in network order; returns nil for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 4 else { return nil }
        self.bytes = Array(bytes)
    }

    /// Parses dotted-decimal text ("127.0.0.1"): exactly four decimal octets 0-255,
    /// no leading zeros (which some parsers read as octal), nothing else.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard let octet = Self.parseOctet(part) else { return nil }
            bytes.append(octet)
        }
        self.bytes = bytes
    }

    /// Dotted-decimal text.
    public var description: String {
        bytes.map(String.init).joined(separator: ".")
    }

    /// True for 127.0.0.0/8.
    public var isLoopback: Bool { bytes[0] == 127 }

    static func parseOctet(_ part: some StringProtocol) -> UInt8? {
        let digits = Array(part.utf8)
        guard (1 ... 3).contains(digits.count),
              digits.allSatisfy({ (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains($0) }),
              digits.count == 1 || digits[0] != UInt8(ascii: "0")
        else { return nil }
        let value = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        return value <= 255 ? UInt8(value) : nil
    }
}

/// An IPv6 address as the sixteen bytes stored in an `/ip6` multiaddr component.
public struct IPv6Address: Hashable, Sendable, CustomStringConvertible {
    /// The address in network byte order; always 16 bytes.
    public let bytes: [UInt8]

    /// Wraps 16 bytes in network order; returns nil for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        self.bytes = Array(bytes)
    }

    /// Parses RFC 4291 text: eight hex groups, optionally one "::" run of zero groups, and
    /// optionally a dotted IPv4 address as the last 32 bits ("::ffff:1.2.3.4").
    /// Zone suffixes ("%eth0") are refused: multiaddrs carry zones in `/ip6zone`.
    public init?(_ text: some StringProtocol) {
        let utf8 = Array(text.utf8)
        guard !utf8.isEmpty, utf8.count <= 45 else { return nil }
        let colon = UInt8(ascii: ":")
        var doubleColon: Int?
        for index in 0 ..< utf8.count - 1 where utf8[index] == colon && utf8[index + 1] == colon {
            doubleColon = index
            break
        }
        let head: ArraySlice<UInt8>
        let tail: ArraySlice<UInt8>?
        if let split = doubleColon {
            head = utf8[..<split]
            tail = utf8[(split + 2)...]
        } else {
            head = utf8[...]
            tail = nil
        }
        guard var headGroups = Self.parseGroups(head, allowIPv4Suffix: tail == nil) else { return nil }
        if let tail {
            guard let tailGroups = Self.parseGroups(tail, allowIPv4Suffix: true),
                  headGroups.count + tailGroups.count <= 7
            else { return nil }
            headGroups += [UInt16](repeating: 0, count: 8 - headGroups.count - tailGroups.count) + tailGroups
        }
        guard headGroups.count == 8 else { return nil }
        self.bytes = headGroups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    /// RFC 5952 text: lower-case hex without leading zeros, the longest run of two or more
    /// zero groups shortened to "::", and IPv4-mapped addresses as "::ffff:a.b.c.d".
    public var description: String {
        if bytes[0 ..< 10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return "::ffff:" + bytes[12...].map(String.init).joined(separator: ".")
        }
        let groups = (0 ..< 8).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            let start = index
            while index < 8, groups[index] == 0 { index += 1 }
            if index - start > bestLength {
                bestStart = start
                bestLength = index - start
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        guard bestStart >= 0 else { return hex.joined(separator: ":") }
        let before = hex[..<bestStart].joined(separator: ":")
        let after = hex[(bestStart + bestLength)...].joined(separator: ":")
        return before + "::" + after
    }

    /// True for ::1.
    public var isLoopback: Bool { bytes[0 ..< 15].allSatisfy { $0 == 0 } && bytes[15] == 1 }

    /// Parses colon-separated hex groups (empty input gives no groups); a dotted IPv4
    /// address may end the list and counts as two groups.
    private static func parseGroups(_ text: ArraySlice<UInt8>, allowIPv4Suffix: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (position, part) in parts.enumerated() {
            if position == parts.count - 1, allowIPv4Suffix, part.contains(UInt8(ascii: ".")) {
                guard let ipv4 = IPv4Address(String(decoding: part, as: UTF8.self)) else { return nil }
                groups.append(UInt16(ipv4.bytes[0]) << 8 | UInt16(ipv4.bytes[1]))
                groups.append(UInt16(ipv4.bytes[2]) << 8 | UInt16(ipv4.bytes[3]))
                continue
            }
            guard (1 ... 4).contains(part.count) else { return nil }
            var value: UInt16 = 0
            for character in part {
                guard let nibble = hexValue(character) else { return nil }
                value = value << 4 | UInt16(nibble)
            }
            groups.append(value)
        }
        return groups
    }

    private static func hexValue(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): return character - UInt8(ascii: "0")
        case UInt8(ascii: "a") ... UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A") ... UInt8(ascii: "F"): return character - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
