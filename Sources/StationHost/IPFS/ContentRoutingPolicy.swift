import Foundation

/// The network policies of content routing, built from the operator's settings.
///
/// - Providers' addresses (gateway URLs, libp2p dial addresses), which come from routers and are
///   untrusted, may point at any public address (`*://*:*`) and at whatever `allowNet` adds
///   (patterns of the `--allow-net` grammar, e.g. `127.0.0.1:*` for a provider on this machine).
/// - Routers are allowed like any other host, by a pattern naming each one (its scheme, host and
///   port), plus the same patterns; so a router named as an IP literal or `localhost` is reachable,
///   while a router named by a DNS name that resolves to a private address is refused unless a
///   pattern names that address.
public enum ContentRoutingPolicy {
    /// The pattern that admits every public address on every port.
    public static let publicPattern = "*://*:*"

    /// The policy provider addresses must pass.
    public static func providers(allowNet: [String]) throws(StationError) -> NetworkPolicy {
        do {
            return try NetworkPolicy(allowing: [publicPattern] + allowNet)
        } catch {
            throw StationError(.invalidArgument, "\(error)")
        }
    }

    /// The policy router connections must pass.
    public static func routers(_ routers: [String], allowNet: [String]) throws(StationError) -> NetworkPolicy {
        var patterns = [publicPattern] + allowNet
        for router in routers {
            guard let url = URL(string: router), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
                throw StationError(.invalidArgument, "invalid router URL '\(router.prefix(200))'")
            }
            let port = url.port ?? (scheme == "https" ? 443 : 80)
            let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
            patterns.append("\(scheme)://\(shownHost):\(port)")
        }
        do {
            return try NetworkPolicy(allowing: patterns)
        } catch {
            throw StationError(.invalidArgument, "\(error)")
        }
    }
}
