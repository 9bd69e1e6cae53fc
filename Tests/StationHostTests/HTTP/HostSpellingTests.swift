import NetworkAddresses
import Testing
@testable import StationHost

@Suite struct HostSpellingTests {
    @Test(arguments: [
        ("localhost", "localhost"), ("LOCALHOST.", "localhost"), ("Example.COM", "example.com"),
        ("127.0.0.1", "127.0.0.1"), ("2130706433", "127.0.0.1"), ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"), ("127.1", "127.0.0.1"), ("0x7F000001", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"), ("10.1.258", "10.1.1.2"), ("0", "0.0.0.0"),
        ("[::1]", "::1"), ("[0:0:0:0:0:0:0:1]", "::1"), ("[fe80::1%25eth0]", "fe80::1"), ("[fe80::1%eth0]", "fe80::1"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"), ("xn--bcher-kva.example", "xn--bcher-kva.example"),
    ])
    func normalises(spelling: String, expected: String) throws {
        #expect(try NormalizedHost(hostSpelling: spelling).description == expected)
    }

    @Test(arguments: [
        "", "exa mple.com", "bücher.example", "a..b", ".a", "256.0.0.1", "1.2.3.4.5", "0x100.0.0.1", "1.2.0x1000000",
        "foo.123", "[::1", "[127.0.0.1]", "[::g]", "99999999999",
    ])
    func refusesBadSpellings(spelling: String) {
        #expect(throws: HostSpellingError.self) { try NormalizedHost(hostSpelling: spelling) }
    }

    @Test func localhostNames() throws {
        #expect(try NormalizedHost(hostSpelling: "localhost").isLocalhostName)
        #expect(try NormalizedHost(hostSpelling: "api.localhost").isLocalhostName)
        #expect(try !NormalizedHost(hostSpelling: "localhost.example").isLocalhostName)
        #expect(try !NormalizedHost(hostSpelling: "127.0.0.1").isLocalhostName)
    }
}
