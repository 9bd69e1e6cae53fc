import Testing
@testable import Multiformats

@Suite struct IPAddressTests {
    @Test func parsesAndPrintsIPv4() throws {
        let address = try #require(IPv4Address("192.168.0.255"))
        #expect(address.bytes == [192, 168, 0, 255])
        #expect(address.description == "192.168.0.255")
        #expect(try #require(IPv4Address("127.0.0.1")).isLoopback)
        #expect(IPv4Address(bytes: [1, 2, 3]) == nil)
    }

    @Test func rejectsMalformedIPv4() {
        for text in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "01.2.3.4", "1..3.4", "1.2.3.4 ", "a.b.c.d", "1.2.3.1000", "１.2.3.4"] {
            #expect(IPv4Address(text) == nil, "\(text)")
        }
    }

    /// Canonical forms per RFC 5952; the same strings come back from the Python `multiaddr`
    /// 0.2.0 package (`str(Multiaddr('/ip6/1:0:0:1:0:0:0:1/udp/1'))` gives `/ip6/1:0:0:1::1/udp/1`).
    @Test func printsCanonicalIPv6() throws {
        let cases: [(String, String)] = [
            ("0:0:0:0:0:0:0:0", "::"),
            ("0:0:0:0:0:0:0:1", "::1"),
            ("1:0:0:1:0:0:0:1", "1:0:0:1::1"),
            ("2001:0DB8:0:0:0:FF00:0042:8329", "2001:db8::ff00:42:8329"),
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"), // a single zero group is not shortened
            ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"), // ties: the first run wins
            ("fe80::", "fe80::"),
            ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
            ("::FFFF:0102:0304", "::ffff:1.2.3.4"),
            ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
        ]
        for (input, canonical) in cases {
            let address = try #require(IPv6Address(input), "\(input)")
            #expect(address.description == canonical)
            #expect(IPv6Address(canonical) == address)
        }
        #expect(try #require(IPv6Address("::1")).isLoopback)
    }

    @Test func rejectsMalformedIPv6() {
        let invalid = [
            "", ":", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::",
            ":1::", "1::2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8::", "fe80::1%eth0", "1.2.3.4::",
            "::1.2.3", "::1.2.3.4:5", " ::1", String(repeating: "0", count: 100),
        ]
        for text in invalid {
            #expect(IPv6Address(text) == nil, "\(text)")
        }
    }
}
