import Foundation

/// An `http`/`https` URL taken apart the strict way the runtime understands it.
///
/// The runtime never lets a URL mean two things: user names (`user@host`) are refused, the host is
/// normalised (see ``NormalizedHost``), and the URL sent on the wire is rebuilt from these parts.
struct RequestURL: Sendable, Equatable {
    var scheme: String
    var host: NormalizedHost
    var port: Int
    /// Path and query, starting with `/` (the fragment is dropped).
    var pathAndQuery: String

    /// The URL rebuilt from its parts, with the normalised host and the port only when needed.
    var normalized: String {
        let defaultPort = scheme == "https" ? 443 : 80
        let portPart = port == defaultPort ? "" : ":\(port)"
        return "\(scheme)://\(host.urlHost)\(portPart)\(pathAndQuery)"
    }

    /// The origin, for messages: `https://example.com:8443`.
    var origin: String {
        let defaultPort = scheme == "https" ? 443 : 80
        return "\(scheme)://\(host.urlHost)\(port == defaultPort ? "" : ":\(port)")"
    }

    /// Parses `text`; the error is a readable reason.
    init(_ text: String) throws(StationError) {
        func invalid(_ reason: String) -> StationError {
            StationError(.invalidArgument, "invalid URL \"\(Self.shortened(text))\": \(reason)")
        }
        guard !text.isEmpty else { throw invalid("the URL is empty") }
        guard text.utf8.count <= 8192 else { throw invalid("the URL is longer than 8192 bytes") }
        guard text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw invalid("it contains spaces, control or non-ASCII characters; percent-encode them")
        }
        guard let separator = text.range(of: "://") else { throw invalid("it has no scheme (expected http:// or https://)") }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            throw invalid("the scheme \"\(scheme)\" is not supported; use http or https")
        }
        let afterScheme = text[separator.upperBound...]
        let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        var rest = afterScheme[authorityEnd...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        if authority.contains("@") {
            throw invalid("user names and passwords in URLs are not supported; send an Authorization header instead")
        }
        if authority.contains("\\") { throw invalid("the host contains a backslash") }
        var hostText: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("an IPv6 address is missing its closing ']'") }
            hostText = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw invalid("unexpected text after the IPv6 address") }
                portText = after.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: ":") {
            hostText = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            hostText = authority
        }
        var port = scheme == "https" ? 443 : 80
        if let portText, !portText.isEmpty {
            guard portText.count <= 5, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(portText),
                  (1...65535).contains(number)
            else { throw invalid("the port must be a number from 1 to 65535") }
            port = number
        }
        do throws(HostSpellingError) {
            host = try NormalizedHost(hostSpelling: String(hostText))
        } catch {
            throw invalid(error.description)
        }
        self.scheme = scheme
        self.port = port
        var path = String(rest)
        if path.isEmpty || path.hasPrefix("?") { path = "/" + path }
        pathAndQuery = path
    }

    /// `text` cut to a length fit for a message.
    static func shortened(_ text: String) -> String {
        text.count <= 200 ? text : String(text.prefix(200)) + "…"
    }
}
