import NetworkAddresses
import NIOCore

/// The unit the per-address connection caps count in: one IPv4 address, or the /64 prefix of an
/// IPv6 address (one host usually owns a whole /64, so counting single IPv6 addresses would let it
/// pick a fresh source address per connection). IPv4-mapped IPv6 addresses count as IPv4.
struct RemoteIPKey: Hashable, Sendable, CustomStringConvertible {
    /// 4 bytes for IPv4, 8 bytes (the /64 prefix) for IPv6.
    let bytes: [UInt8]

    /// The key of a TCP peer's address; nil for Unix sockets or an unreadable address.
    init?(_ address: SocketAddress) {
        guard let text = address.ipAddress, let ip = IPAddress(strict: text) else { return nil }
        switch ip {
        case .v4:
            bytes = ip.bytes
        case .v6(let high, let low):
            // IPv4-mapped (::ffff:a.b.c.d) is an IPv4 peer on a dual-stack socket.
            bytes = high == 0 && low >> 32 == 0xFFFF ? Array(ip.bytes[12 ..< 16]) : Array(ip.bytes[0 ..< 8])
        }
    }

    /// "1.2.3.4" or "2001:db8:0:1::/64" style text for logs.
    var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        let groups = stride(from: 0, to: bytes.count, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }
}
