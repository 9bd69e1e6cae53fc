import Testing
@testable import StationHost

@Suite struct NetworkPatternTests {
    @Test func parsesTheDocumentedForms() throws {
        let wildcard = try NetworkPattern("https://*.example.com")
        #expect(wildcard.scheme == .https)
        #expect(wildcard.host == .subdomains(of: "example.com"))
        #expect(wildcard.port == .schemeDefault)

        let loopback = try NetworkPattern("http://127.0.0.1:8080")
        #expect(loopback.host == .exact(.address(.v4(0x7F00_0001))))
        #expect(loopback.port == .number(8080))

        let anyScheme = try NetworkPattern("*://example.org")
        #expect(anyScheme.scheme == .any)
        #expect(anyScheme.host == .exact(.name("example.org")))

        let bare = try NetworkPattern("api.example.com:*")
        #expect(bare.scheme == .any)
        #expect(bare.port == .any)

        let v6 = try NetworkPattern("http://[::1]:9000/")
        #expect(v6.host == .exact(.address(.v6(high: 0, low: 1))))
        #expect(try NetworkPattern("https://*").host == .any)
        #expect(try NetworkPattern("HTTPS://API.Example.COM.:8443").host == .exact(.name("api.example.com")))
    }

    @Test(arguments: [
        ("", "empty"), ("ftp://example.com", "scheme"), ("https://example.com/path", "paths"),
        ("https://user@example.com", "user names"), ("https://example.com:0", "port"), ("https://example.com:65536", "port"),
        ("https://example.com:http", "port"), ("https://ex*ample.com", "wildcard"), ("https://*.127.0.0.1", "wildcard"),
        ("https://[::1", "IPv6"), ("https://bad host", "host"), ("https://a..b", "empty part"), ("https://*.", "empty"),
    ])
    func refusesBadPatterns(pattern: String, reasonMentions: String) {
        #expect {
            try NetworkPattern(pattern)
        } throws: { error in
            guard let error = error as? NetworkPolicyError else { return false }
            return error.pattern == pattern && error.reason.localizedCaseInsensitiveContains(reasonMentions)
        }
    }

    @Test func matchesSchemeHostAndPort() throws {
        let https = try NetworkPattern("https://*.example.com")
        let sub = NormalizedHost.name("api.example.com")
        #expect(https.matches(scheme: "https", host: sub, port: 443))
        #expect(https.matches(scheme: "https", host: .name("a.b.example.com"), port: 443))
        #expect(!https.matches(scheme: "https", host: .name("example.com"), port: 443))
        #expect(!https.matches(scheme: "https", host: .name("evilexample.com"), port: 443))
        #expect(!https.matches(scheme: "http", host: sub, port: 80))
        #expect(!https.matches(scheme: "https", host: sub, port: 8443))

        let anyPort = try NetworkPattern("*://example.org:*")
        #expect(anyPort.matches(scheme: "http", host: .name("example.org"), port: 8080))
        #expect(anyPort.matches(scheme: "https", host: .name("example.org"), port: 443))

        let defaults = try NetworkPattern("*://example.org")
        #expect(defaults.matches(scheme: "http", host: .name("example.org"), port: 80))
        #expect(defaults.matches(scheme: "https", host: .name("example.org"), port: 443))
        #expect(!defaults.matches(scheme: "http", host: .name("example.org"), port: 443))
    }
}
