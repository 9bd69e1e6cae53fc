/// A host as people write it next to a port, and the one rule for which hosts are this machine.
///
/// Used by every place that reads a host from outside: the status API's listen setting and its
/// `Host` header check, the status client, the p2p dial check and the HTTP policy's `localhost`.
///
/// Worked example:
///
/// | text               | ``HostAuthority/init(parsing:)``      | ``HostAuthority/isLoopback`` |
/// |--------------------|----------------------------------------|------------------------------|
/// | `127.0.0.1:7834`   | host `127.0.0.1`, port 7834            | yes                          |
/// | `[::1]:7834`       | host `::1`, port 7834                  | yes                          |
/// | `app.localhost:80` | host `app.localhost`, port 80          | yes (RFC 6761 §6.3)          |
/// | `localhost`        | host `localhost`, no port              | yes                          |
/// | `10.0.0.1:80`      | host `10.0.0.1`, port 80               | no                           |
/// | `::1:80`           | refused: IPv6 needs brackets           | —                            |
public struct HostAuthority: Sendable, Hashable {
    /// The host, without brackets.
    public var host: String
    /// The port, when one was written.
    public var port: Int?

    public init(host: String, port: Int?) {
        self.host = host
        self.port = port
    }

    /// Why a `host[:port]` text was refused.
    public enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        case unclosedBracket
        case ipv6WithoutBrackets
        case badPort(String)
        case emptyHost
        case bracketInHost

        public var description: String {
            switch self {
            case .unclosedBracket: "an IPv6 address opened with '[' is not closed with ']'"
            case .ipv6WithoutBrackets: "write IPv6 addresses in brackets, like [::1]:7834"
            case .badPort(let text): "'\(text)' is not a port (0 to 65535)"
            case .emptyHost: "the host is empty"
            case .bracketInHost: "'[' and ']' may only enclose a whole IPv6 address"
            }
        }
    }

    /// Parses `host`, `host:port`, `[v6]` or `[v6]:port` (the form of an HTTP `Host` header and of
    /// listen settings). The port, when present, must be 0...65535 in decimal digits.
    public init(parsing text: String) throws(ParseError) {
        var hostPart = Substring(text)
        var portPart: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .unclosedBracket }
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw .badPort(String(rest)) }
                portPart = rest.dropFirst()
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
        } else if let colon = text.lastIndex(of: ":") {
            hostPart = text[..<colon]
            guard !hostPart.contains(":") else { throw .ipv6WithoutBrackets }
            portPart = text[text.index(after: colon)...]
        }
        guard !hostPart.isEmpty else { throw .emptyHost }
        // "[[1]" would give the host "[1", which `text` prints as "[1": a text that does not parse.
        guard !hostPart.contains("["), !hostPart.contains("]") else { throw .bracketInHost }
        var port: Int?
        if let portPart {
            guard !portPart.isEmpty, portPart.count <= 5, portPart.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                  let number = Int(portPart), number <= 65535
            else { throw .badPort(String(portPart)) }
            port = number
        }
        self.init(host: String(hostPart), port: port)
    }

    /// Whether ``host`` is this machine: a loopback address in any strict spelling (127.0.0.0/8,
    /// `::1`, `::ffff:127.x.y.z`), `localhost`, or a name under `.localhost`, which RFC 6761
    /// reserves for loopback (with or without a trailing dot, in any case).
    public var isLoopback: Bool { Self.isLoopback(host: host) }

    /// See ``isLoopback``; `host` is written without brackets.
    public static func isLoopback(host: String) -> Bool {
        if let address = IPAddress(strict: host) { return address.addressClass == .loopback }
        return isLoopbackName(host)
    }

    /// `localhost` or a name ending in `.localhost` (RFC 6761 §6.3), any case, one trailing dot allowed.
    public static func isLoopbackName(_ name: String) -> Bool {
        var lowered = name.lowercased()
        if lowered.hasSuffix(".") { lowered.removeLast() }
        return lowered == "localhost" || (lowered.hasSuffix(".localhost") && lowered.count > ".localhost".count)
    }

    /// `host:port`, with brackets around IPv6 addresses (and just the host without a port).
    public var text: String {
        let shown = host.contains(":") ? "[\(host)]" : host
        return port.map { "\(shown):\($0)" } ?? shown
    }
}
