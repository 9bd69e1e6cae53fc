import Testing
import NetworkAddresses

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("127.0.0.1", "127.0.0.1"), ("::1", "::1"), ("::", "::"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("FE80::0:1", "fe80::1"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"), ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
    ])
    func strictParsingAndCanonicalText(input: String, canonical: String) throws {
        let address = try #require(IPAddress(strict: input))
        #expect(address.description == canonical)
        #expect(IPAddress(strict: canonical) == address)
    }

    @Test(arguments: ["", "1.2.3", "256.1.1.1", "::g", "1:2:3:4:5:6:7:8:9", "127.0.0.1\u{0}x", "0x7f.0.0.1"])
    func strictParsingRejects(input: String) {
        #expect(IPAddress(strict: input) == nil)
    }

    @Test func bytesRoundTrip() throws {
        let address = try #require(IPAddress(strict: "2001:db8::ff00:42:8329"))
        #expect(IPAddress(ipv6Bytes: address.bytes) == address)
        #expect(IPAddress.v4(0x0A00_0001).bytes == [10, 0, 0, 1])
        #expect(IPAddress(ipv6Bytes: [1, 2, 3]) == nil)
    }
}
