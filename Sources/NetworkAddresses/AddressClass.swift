/// The kind of network an IP address belongs to, as far as the policy cares.
///
/// Everything except ``publicInternet`` is refused unless a pattern names the address itself
/// (or `localhost`, for loopback). Addresses that embed an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`,
/// IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) take the class of the
/// embedded address, so no spelling hides a private target.
public enum AddressClass: String, Sendable, CaseIterable, CustomStringConvertible {
    case publicInternet = "public"
    case loopback
    case unspecified
    case privateNetwork = "private"
    case linkLocal = "link-local"
    case sharedAddressSpace = "shared (CGNAT)"
    case multicast
    case broadcast
    case reserved
    case documentation
    case uniqueLocal = "unique local (IPv6 ULA)"

    /// Words for messages: "a loopback address".
    public var phrase: String {
        switch self {
        case .publicInternet: "a public address"
        case .loopback: "a loopback address"
        case .unspecified: "an unspecified (0.0.0.0 or ::) address"
        case .privateNetwork: "a private network address"
        case .linkLocal: "a link-local address"
        case .sharedAddressSpace: "a carrier-grade NAT (100.64.0.0/10) address"
        case .multicast: "a multicast address"
        case .broadcast: "the broadcast address"
        case .reserved: "a reserved address"
        case .documentation: "a documentation-only address"
        case .uniqueLocal: "an IPv6 unique local (fc00::/7) address"
        }
    }

    public var description: String { rawValue }
}

extension IPAddress {
    /// The class of this address; see ``AddressClass``.
    public var addressClass: AddressClass {
        switch self {
        case .v4(let value):
            return Self.classify(v4: value)
        case .v6(let high, let low):
            return Self.classify(v6High: high, low: low)
        }
    }

    /// The IPv4 address embedded in an IPv4-mapped, IPv4-compatible, NAT64 or 6to4 IPv6 address.
    public var embeddedIPv4: UInt32? {
        guard case .v6(let high, let low) = self else { return nil }
        let lowWord = UInt32(truncatingIfNeeded: low)
        if high == 0 && low >> 32 == 0xFFFF { return lowWord }  // ::ffff:a.b.c.d
        if high == 0 && low >> 32 == 0 && lowWord > 1 { return lowWord }  // ::a.b.c.d (deprecated)
        if high == 0x0064_FF9B_0000_0000 && low >> 32 == 0 { return lowWord }  // 64:ff9b::/96
        if high >> 48 == 0x2002 { return UInt32(truncatingIfNeeded: high >> 16) }  // 2002:aabb:ccdd::/48
        return nil
    }

    private static func classify(v4 value: UInt32) -> AddressClass {
        func within(_ prefix: UInt32, _ length: UInt32) -> Bool {
            let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << (32 - length)
            return value & mask == prefix & mask
        }
        if value == 0xFFFF_FFFF { return .broadcast }
        if within(0x0000_0000, 8) { return .unspecified }
        if within(0x7F00_0000, 8) { return .loopback }
        if within(0x0A00_0000, 8) || within(0xAC10_0000, 12) || within(0xC0A8_0000, 16) { return .privateNetwork }
        if within(0xA9FE_0000, 16) { return .linkLocal }
        if within(0x6440_0000, 10) { return .sharedAddressSpace }
        if within(0xE000_0000, 4) { return .multicast }
        if within(0xF000_0000, 4) { return .reserved }
        if within(0xC000_0000, 24) || within(0xC612_0000, 15) { return .reserved }  // IETF protocol, benchmarking
        if within(0xC000_0200, 24) || within(0xC633_6400, 24) || within(0xCB00_7100, 24) { return .documentation }
        return .publicInternet
    }

    private static func classify(v6High high: UInt64, low: UInt64) -> AddressClass {
        if high == 0 && low == 0 { return .unspecified }
        if high == 0 && low == 1 { return .loopback }
        if let embedded = IPAddress.v6(high: high, low: low).embeddedIPv4 {
            return classify(v4: embedded)
        }
        let top16 = high >> 48
        if high >> 57 == 0x7E { return .uniqueLocal }  // fc00::/7
        if top16 & 0xFFC0 == 0xFE80 { return .linkLocal }  // fe80::/10
        if top16 & 0xFFC0 == 0xFEC0 { return .privateNetwork }  // fec0::/10 (old site-local)
        if top16 >> 8 == 0xFF { return .multicast }
        if high >> 32 == 0x2001_0DB8 { return .documentation }
        if high == 0x0100_0000_0000_0000 { return .reserved }  // 100::/64 discard
        if high >> 16 == 0x0064_FF9B_0001 { return .privateNetwork }  // 64:ff9b:1::/48 local NAT64
        if high == 0 { return .reserved }  // the rest of ::/64
        return .publicInternet
    }
}
