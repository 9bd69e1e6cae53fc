import Foundation
import NetworkAddresses

/// One entry of a module's network allow-list: `scheme://host[:port]`.
///
/// Grammar (see `docs/network-policy.md`):
/// - scheme: `http`, `https` or `*` (either). A pattern without `://` means `*://`.
/// - host: a DNS name (`api.example.com`), `*.` followed by a name (any subdomain, at any depth,
///   not the name itself), `*` (any host), an IPv4 address in any spelling, `[IPv6]`, or `localhost`.
/// - port: a number 1–65535, `*` (any port), or omitted (the scheme's default port: 80 or 443).
/// - an optional trailing `/`; paths, queries, user names are not allowed.
public struct NetworkPattern: Sendable, Hashable, CustomStringConvertible {
    /// Which schemes a pattern admits.
    public enum Scheme: String, Sendable, Hashable {
        case http, https, any = "*"
    }
    /// Which hosts a pattern admits.
    public enum Host: Sendable, Hashable {
        /// Exactly this name or address.
        case exact(NormalizedHost)
        /// Any name ending in `.suffix` (the suffix itself excluded).
        case subdomains(of: String)
        /// Any host.
        case any
    }
    /// Which ports a pattern admits.
    public enum Port: Sendable, Hashable {
        /// The default port of the request's scheme.
        case schemeDefault
        case number(Int)
        case any
    }

    public var scheme: Scheme
    public var host: Host
    public var port: Port
    /// The pattern as written.
    public var text: String

    /// Parses one pattern.
    public init(_ text: String) throws(NetworkPolicyError) {
        func fail(_ reason: String) -> NetworkPolicyError { NetworkPolicyError(pattern: text, reason: reason) }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw fail("the pattern is empty") }
        guard trimmed.utf8.count <= 300 else { throw fail("the pattern is too long") }
        var rest = Substring(trimmed)
        if let separator = rest.range(of: "://") {
            let schemeText = rest[..<separator.lowerBound].lowercased()
            guard let scheme = Scheme(rawValue: schemeText) else {
                throw fail("the scheme must be http, https or *, not \"\(schemeText)\"")
            }
            self.scheme = scheme
            rest = rest[separator.upperBound...]
        } else {
            self.scheme = .any
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        if rest.contains("/") || rest.contains("?") || rest.contains("#") {
            throw fail("patterns name a scheme, host and port only; paths and queries are not supported")
        }
        if rest.contains("@") { throw fail("user names are not allowed in patterns") }
        var hostText: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw fail("an IPv6 address is missing its closing ']'") }
            hostText = rest[...close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("unexpected text after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else if let colon = rest.firstIndex(of: ":") {
            hostText = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            hostText = rest
        }
        if let portText {
            if portText == "*" {
                port = .any
            } else if let number = Int(portText), (1...65535).contains(number), portText.allSatisfy(\.isASCII) {
                port = .number(number)
            } else {
                throw fail("the port must be a number from 1 to 65535 or *")
            }
        } else {
            port = .schemeDefault
        }
        if hostText == "*" {
            host = .any
        } else if hostText.hasPrefix("*.") {
            let suffixText = String(hostText.dropFirst(2))
            let suffix: NormalizedHost
            do throws(HostSpellingError) {
                suffix = try NormalizedHost(hostSpelling: suffixText)
            } catch {
                throw fail(error.description)
            }
            guard case .name(let name) = suffix else {
                throw fail("a wildcard (*.) can only precede a DNS name, not an IP address")
            }
            host = .subdomains(of: name)
        } else if hostText.contains("*") {
            throw fail("a wildcard is only allowed as the whole host (*) or as a leading *. before a name")
        } else {
            do throws(HostSpellingError) {
                host = .exact(try NormalizedHost(hostSpelling: String(hostText)))
            } catch {
                throw fail(error.description)
            }
        }
        self.text = text
    }

    public var description: String { text }

    /// Whether this pattern names the address itself (an IP-literal host).
    var namedAddress: IPAddress? {
        if case .exact(.address(let address)) = host { return address }
        return nil
    }

    /// Whether the pattern admits a request to `host:port` over `scheme` (`http` or `https`).
    func matches(scheme requestScheme: String, host requestHost: NormalizedHost, port requestPort: Int) -> Bool {
        switch scheme {
        case .any: break
        case .http, .https: if scheme.rawValue != requestScheme { return false }
        }
        switch port {
        case .any: break
        case .number(let number): if number != requestPort { return false }
        case .schemeDefault: if requestPort != (requestScheme == "https" ? 443 : 80) { return false }
        }
        switch host {
        case .any:
            return true
        case .exact(let exact):
            return exact == requestHost
        case .subdomains(let suffix):
            guard case .name(let name) = requestHost else { return false }
            return name.hasSuffix("." + suffix)
        }
    }
}
