import NetworkAddresses

extension Harness {
    /// `HostAuthority(parsing:)`, the one `host[:port]` parser (status API listen setting and
    /// `Host` header, status client, p2p dial check): what parses prints as text that parses back
    /// to the same authority, and the loopback rule agrees with the IP address parser.
    public static func hostAuthority(_ bytes: [UInt8]) throws {
        let text = String(decoding: bytes, as: UTF8.self)
        if let authority = try? HostAuthority(parsing: text) {
            try fuzzCheck(!authority.host.isEmpty, "empty host accepted")
            if let port = authority.port { try fuzzCheck((0...65535).contains(port), "port \(port)") }
            let again = try? HostAuthority(parsing: authority.text)
            try fuzzCheck(again == authority, "\(authority.text.debugDescription) does not parse back to \(authority)")
            _ = authority.isLoopback
        }
        // The loopback rule on the raw text as a host.
        let loopback = HostAuthority.isLoopback(host: text)
        if let address = IPAddress(strict: text) {
            try fuzzCheck(loopback == (address.addressClass == .loopback), "loopback rule disagrees for \(address)")
            // The canonical spelling is an address again, of the same class.
            try fuzzCheck(IPAddress(strict: address.description) == address, "\(address) does not parse back")
        }
        if HostAuthority.isLoopbackName(text) { try fuzzCheck(loopback, "a loopback name is not loopback") }
    }
}
