import NetworkAddresses
import Testing

@Suite("Host authorities and the loopback rule")
struct HostAuthorityTests {
    @Test("loopback hosts: addresses in 127.0.0.0/8 and ::1 in any strict spelling, localhost and *.localhost", arguments: [
        ("127.0.0.1", true), ("127.1.2.3", true), ("::1", true), ("0:0:0:0:0:0:0:1", true), ("::ffff:127.0.0.1", true),
        ("localhost", true), ("LOCALHOST", true), ("app.localhost", true), ("localhost.", true), ("App.LocalHost.", true),
        ("0.0.0.0", false), ("128.0.0.1", false), ("127.0.0.1.nip.io", false), ("127.0.0", false), ("127.0.0.256", false),
        ("::", false), ("localhost.example", false), ("", false), (".localhost", false), ("notlocalhost", false), ("10.0.0.1", false),
    ])
    func loopbackHosts(host: String, loopback: Bool) {
        #expect(HostAuthority.isLoopback(host: host) == loopback)
    }

    @Test("Host headers and listen settings parse into host and port", arguments: [
        ("127.0.0.1:80", "127.0.0.1", 80), ("localhost:7834", "localhost", 7834), ("[::1]:7834", "::1", 7834),
        ("[::1]", "::1", nil), ("localhost", "localhost", nil), ("example.com:0", "example.com", 0), ("[fe80::1]:65535", "fe80::1", 65535),
    ] as [(String, String, Int?)])
    func parses(text: String, host: String, port: Int?) throws {
        let authority = try HostAuthority(parsing: text)
        #expect(authority.host == host)
        #expect(authority.port == port)
        #expect(try HostAuthority(parsing: authority.text) == authority)
    }

    @Test("malformed authorities are refused with the reason", arguments: [
        ("127.0.0.1:", HostAuthority.ParseError.badPort("")), ("[::1]x", .badPort("x")), ("127.0.0.1:80:80", .ipv6WithoutBrackets),
        ("::1:7834", .ipv6WithoutBrackets), ("localhost:８０", .badPort("８０")), ("[::1", .unclosedBracket), (":80", .emptyHost),
        ("[]:80", .emptyHost), ("a:65536", .badPort("65536")), ("a:-1", .badPort("-1")), ("a:+80", .badPort("+80")),
        // Found by fuzzing: the host "[1" printed as "[1", which does not parse back.
        ("[[1]", .bracketInHost), ("[a[b]:80", .bracketInHost), ("a]b:80", .bracketInHost), ("a[b", .bracketInHost),
    ])
    func refuses(text: String, error: HostAuthority.ParseError) {
        #expect(throws: error) { try HostAuthority(parsing: text) }
    }
}
