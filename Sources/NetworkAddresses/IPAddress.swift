#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IP address as plain bytes, independent of any socket API.
///
/// `IPAddress` is what the network policy classifies: hosts written in URLs and patterns are
/// normalised into one (``init(hostSpelling:)``), and every address DNS returns is checked as one.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// An IPv4 address, most significant byte first (`127.0.0.1` is `0x7F00_0001`).
    case v4(UInt32)
    /// An IPv6 address as two big-endian halves: `high` holds bytes 0...7, `low` bytes 8...15.
    case v6(high: UInt64, low: UInt64)

    /// Builds an IPv6 address from 16 bytes; `nil` when `bytes` is not 16 bytes long.
    public init?(ipv6Bytes bytes: [UInt8]) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<8 { high = high << 8 | UInt64(bytes[index]) }
        for index in 8..<16 { low = low << 8 | UInt64(bytes[index]) }
        self = .v6(high: high, low: low)
    }

    /// The 4 or 16 address bytes, network order.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let value):
            return (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
        case .v6(let high, let low):
            return (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
                + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
        }
    }

    /// The canonical text: dotted quad for IPv4, RFC 5952 form (lower case, longest zero run
    /// compressed) for IPv6, without brackets.
    public var description: String {
        switch self {
        case .v4:
            return bytes.map(String.init).joined(separator: ".")
        case .v6:
            let raw = bytes
            let groups = (0..<8).map { UInt16(raw[2 * $0]) << 8 | UInt16(raw[2 * $0 + 1]) }
            var bestStart = -1
            var bestLength = 0
            var index = 0
            while index < 8 {
                guard groups[index] == 0 else { index += 1; continue }
                var end = index
                while end < 8 && groups[end] == 0 { end += 1 }
                if end - index > bestLength && end - index >= 2 {
                    bestStart = index
                    bestLength = end - index
                }
                index = end
            }
            func hex(_ range: Range<Int>) -> String {
                groups[range].map { String($0, radix: 16) }.joined(separator: ":")
            }
            guard bestStart >= 0 else { return hex(0..<8) }
            return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
        }
    }

    /// The text used inside a URL: IPv6 in brackets.
    public var urlHost: String {
        switch self {
        case .v4: description
        case .v6: "[\(description)]"
        }
    }

    /// Parses a strict IPv4 dotted quad or an IPv6 address (no brackets, no zone id).
    public init?(strict text: String) {
        guard !text.isEmpty, text.utf8.count <= 64, !text.utf8.contains(0) else { return nil }
        if text.contains(":") {
            var storage = in6_addr()
            guard inet_pton(AF_INET6, text, &storage) == 1 else { return nil }
            let raw = withUnsafeBytes(of: &storage) { Array($0) }
            guard let address = IPAddress(ipv6Bytes: raw) else { return nil }
            self = address
        } else {
            var storage = in_addr()
            guard inet_pton(AF_INET, text, &storage) == 1 else { return nil }
            let raw = withUnsafeBytes(of: &storage) { Array($0) }
            guard raw.count == 4 else { return nil }
            self = .v4(raw.reduce(0) { $0 << 8 | UInt32($1) })
        }
    }
}
