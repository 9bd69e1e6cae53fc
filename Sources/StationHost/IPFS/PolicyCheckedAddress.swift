import NetworkAddresses
/// The network policy's two checks for a connection the runtime makes on its own behalf (a
/// delegated router, a provider's gateway): the URL before any I/O, then every address DNS gives.
extension NetworkPolicy {
    /// Checks `url` and returns the target with the first resolved address the policy admits
    /// (IP literals as themselves, `localhost` as loopback); throws `StationError` (`.denied`,
    /// `.invalidArgument`, `.io`).
    func admit(_ url: String, resolver: any HostResolving = SystemHostResolver()) async throws -> (CheckedTarget, IPAddress) {
        let target = try checkURL(url)
        let candidates: [IPAddress]
        switch target.host {
        case .address(let address):
            candidates = [address]
        case .name(let name):
            candidates = target.host.isLocalhostName ? [.v4(0x7F00_0001), .v6(high: 0, low: 1)] : try await resolver.resolve(name)
        }
        var firstDenial: StationError?
        for candidate in candidates {
            do {
                try checkAddress(candidate, for: target)
                return (target, candidate)
            } catch {
                if firstDenial == nil { firstDenial = error }
            }
        }
        throw firstDenial ?? StationError(.io, "could not resolve \(target.host)")
    }
}
