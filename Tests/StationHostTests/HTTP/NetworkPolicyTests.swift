import NetworkAddresses
import Testing
@testable import StationHost

@Suite struct NetworkPolicyTests {
    private func deniedCode(_ policy: NetworkPolicy, _ url: String) -> StationErrorCode? {
        switch Result(catching: { () throws(StationError) -> CheckedTarget in try policy.checkURL(url) }) {
        case .success: return nil
        case .failure(let error): return error.code
        }
    }

    @Test func denyAllDeniesEverything() {
        #expect(deniedCode(.denyAll, "https://example.com/") == .denied)
        #expect(NetworkPolicy.denyAll.patterns.isEmpty)
    }

    @Test func badPatternIsReportedByName() {
        #expect(throws: NetworkPolicyError(pattern: "ftp://x", reason: "the scheme must be http, https or *, not \"ftp\"")) {
            try NetworkPolicy(allowing: ["https://ok.example", "ftp://x"])
        }
    }

    @Test func allowsMatchingPublicHosts() throws {
        let policy = try NetworkPolicy(allowing: ["https://*.example.com", "https://api.example.com:8443", "*://example.org"])
        let target = try policy.checkURL("https://API.Example.com:8443/v1?q=1#frag")
        #expect(target.host == .name("api.example.com"))
        #expect(target.port == 8443)
        #expect(target.scheme == "https")
        #expect(!target.privateAddressesAllowed)
        #expect(target.normalizedURL == "https://api.example.com:8443/v1?q=1")
        #expect(try policy.checkURL("http://example.org").normalizedURL == "http://example.org/")
        #expect(try policy.checkURL("https://cdn.example.com/x").port == 443)
        #expect(deniedCode(policy, "http://cdn.example.com/") == .denied)
        #expect(deniedCode(policy, "https://example.com/") == .denied)
        #expect(deniedCode(policy, "https://example.org:8443/") == .denied)
    }

    @Test(arguments: [
        "http://localhost/", "http://127.0.0.2/", "http://[::1]/", "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/",
        "http://2130706433/", "http://0x7f.1/", "http://0177.0.0.1/", "http://127.1/", "http://LOCALHOST./",
        "http://10.0.0.1/", "http://169.254.169.254/", "http://[fe80::1%25eth0]/", "http://100.64.0.1/", "http://[fd00::1]/",
        "http://[64:ff9b::7f00:1]/", "http://[::127.0.0.1]/", "http://224.0.0.1/", "http://255.255.255.255/",
    ])
    func wildcardDoesNotReachLocalAddresses(url: String) throws {
        let policy = try NetworkPolicy(allowing: ["*://*:*"])
        #expect(deniedCode(policy, url) == .denied)
    }

    @Test(arguments: [
        ("http://localhost/", "http://localhost"), ("http://127.0.0.2/", "http://127.0.0.2"), ("http://[::1]/", "http://[::1]"),
        ("http://0.0.0.0/", "http://0.0.0.0"), ("http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]"),
        ("http://2130706433/", "http://127.0.0.1"), ("http://0x7f.1/", "http://127.0.0.1"),
        ("http://0177.0.0.1/", "http://127.0.0.1"), ("http://127.1/", "http://127.0.0.1"),
        ("http://[fe80::1%25eth0]:81/", "http://[fe80::1]:81"),
    ])
    func namedAddressesAreAllowed(url: String, pattern: String) throws {
        let policy = try NetworkPolicy(allowing: [pattern])
        let target = try policy.checkURL(url)
        #expect(target.privateAddressesAllowed)
        #expect(deniedCode(try NetworkPolicy(allowing: ["http://127.0.0.3", "*://*:*"]), url) == .denied)
    }

    @Test func deniedMessageSaysWhyAndHowToAllow() throws {
        let policy = try NetworkPolicy(allowing: ["https://example.com"])
        #expect(throws: StationError(.denied, "http://127.0.0.2/ is denied: 127.0.0.2 is a loopback address; allow it with --allow-net http://127.0.0.2")) {
            try policy.checkURL("http://127.0.0.2/")
        }
        #expect(throws: StationError(.denied, "http://other.example/ is denied: no --allow-net pattern matches http://other.example; allow it with --allow-net http://other.example")) {
            try policy.checkURL("http://other.example/")
        }
    }

    @Test(arguments: ["ftp://example.com/", "example.com", "http://user:pw@example.com/", "http://exa mple.com/",
                      "http://example.com:99999/", "http://[::1/", "https://", "http://ex\\ample.com/", "http://bücher.de/"])
    func malformedURLsAreInvalidArguments(url: String) throws {
        let policy = try NetworkPolicy(allowing: ["*://*:*"])
        #expect(deniedCode(policy, url) == .invalidArgument)
    }

    @Test func resolvedAddressesAreChecked() throws {
        let policy = try NetworkPolicy(allowing: ["https://*.example.com", "http://localhost:8080", "http://10.1.2.3"])
        let named = try policy.checkURL("https://api.example.com/")
        try policy.checkAddress(.v4(0x0808_0808), for: named)
        for text in ["127.0.0.1", "10.1.2.3", "::1", "::ffff:192.168.0.1", "169.254.169.254", "fd00::5", "0.0.0.0"] {
            let address = try #require(IPAddress(strict: text))
            #expect(throws: StationError.self) { try policy.checkAddress(address, for: named) }
        }
        let local = try policy.checkURL("http://localhost:8080/")
        try policy.checkAddress(.v4(0x7F00_0001), for: local)
        try policy.checkAddress(.v6(high: 0, low: 1), for: local)
        #expect(throws: StationError.self) { try policy.checkAddress(.v4(0x0A01_0203), for: local) }

        let literal = try policy.checkURL("http://10.1.2.3/")
        try policy.checkAddress(.v4(0x0A01_0203), for: literal)
        #expect(throws: StationError.self) { try policy.checkAddress(.v4(0x0A01_0204), for: literal) }
    }
}
