import Multiformats
import NIOCore

extension Multiaddr {
    /// `/ip4/A/tcp/P` or `/ip6/A/tcp/P` for a socket address; nil for Unix sockets.
    init?(tcpSocketAddress address: SocketAddress) {
        guard let ip = address.ipAddress, let port = address.port, let tcpPort = UInt16(exactly: port) else { return nil }
        switch address {
        case .v4:
            guard let v4 = IPv4Address(ip) else { return nil }
            self.init(components: [.ip4(v4), .tcp(tcpPort)])
        case .v6:
            guard let v6 = IPv6Address(ip) else { return nil }
            self.init(components: [.ip6(v6), .tcp(tcpPort)])
        default:
            return nil
        }
    }
}
