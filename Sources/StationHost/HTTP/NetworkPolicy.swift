import NetworkAddresses
/// A module's network allow-list: which `scheme://host:port` it may reach, deny by default.
///
/// Two checks run for every request and every redirect hop:
/// 1. ``checkURL(_:)`` before any I/O: the URL must parse, and a pattern must admit its scheme,
///    normalised host and port. A host that is an IP literal outside the public internet (loopback,
///    private, link-local, ...) must be named by a pattern as that exact address.
/// 2. ``checkAddress(_:for:)`` for every address DNS returns: only public addresses pass, unless
///    the pattern named the address itself or named `localhost` (loopback addresses only).
/// The runtime then connects to the checked address, so DNS rebinding cannot redirect it.
public struct NetworkPolicy: Sendable {
    /// The parsed patterns, in the order given.
    public let patterns: [NetworkPattern]

    /// Parses `patterns`; throws for the first bad one, naming it and saying why.
    public init(allowing patterns: [String]) throws(NetworkPolicyError) {
        var parsed: [NetworkPattern] = []
        for text in patterns {
            parsed.append(try NetworkPattern(text))
        }
        self.patterns = parsed
    }

    /// A policy that allows nothing.
    public static let denyAll = NetworkPolicy(parsed: [])

    private init(parsed: [NetworkPattern]) {
        patterns = parsed
    }

    /// Checks a URL before any I/O; returns where to connect, or throws `.invalidArgument` for a
    /// malformed URL and `.denied` (with the reason and how to allow it) for a refused one.
    public func checkURL(_ url: String) throws(StationError) -> CheckedTarget {
        let parsed = try RequestURL(url)
        let shown = RequestURL.shortened(url)
        let matching = patterns.filter { $0.matches(scheme: parsed.scheme, host: parsed.host, port: parsed.port) }
        let namedExactly = matching.contains { pattern in
            if case .exact(let host) = pattern.host { return host == parsed.host }
            return false
        }
        var privateAllowed = false
        switch parsed.host {
        case .address(let address):
            let addressClass = address.addressClass
            if addressClass != .publicInternet {
                guard namedExactly else {
                    throw StationError(.denied, "\(shown) is denied: \(address) is \(addressClass.phrase); allow it with --allow-net \(parsed.origin)")
                }
                privateAllowed = true
            }
        case .name:
            if parsed.host.isLocalhostName {
                guard namedExactly else {
                    throw StationError(.denied, "\(shown) is denied: \(parsed.host) is a loopback name; allow it with --allow-net \(parsed.origin)")
                }
                privateAllowed = true
            }
        }
        guard !matching.isEmpty else {
            let reason = patterns.isEmpty ? "the module has no network access" : "no --allow-net pattern matches \(parsed.origin)"
            throw StationError(.denied, "\(shown) is denied: \(reason); allow it with --allow-net \(parsed.origin)")
        }
        return CheckedTarget(
            scheme: parsed.scheme, host: parsed.host, port: parsed.port, privateAddressesAllowed: privateAllowed,
            originalURL: url, url: parsed)
    }

    /// Checks one resolved address of a checked target; throws `.denied` when the address may not
    /// be used (a name that resolved to a loopback, private or otherwise non-public address).
    public func checkAddress(_ address: IPAddress, for target: CheckedTarget) throws(StationError) {
        let shown = RequestURL.shortened(target.originalURL)
        switch target.host {
        case .address(let literal):
            guard literal == address else {
                throw StationError(.denied, "\(shown) is denied: the connection would go to \(address), not \(literal)")
            }
        case .name(let name):
            let addressClass = address.addressClass
            if addressClass == .publicInternet { return }
            if addressClass == .loopback && target.privateAddressesAllowed && target.host.isLocalhostName { return }
            throw StationError(.denied, "\(shown) is denied: \(name) resolved to \(address), which is \(addressClass.phrase); private and local addresses are reachable only through a pattern that names the address, e.g. --allow-net \(target.scheme)://\(address.urlHost):\(target.port), used in the URL")
        }
    }
}
