import Multiformats
import NIOCore
import NIOPosix
@testable import Libp2p

/// A hostile client that opens plain TCP connections from one source address and never sends a
/// byte: the listener lock-out attack. It counts how many the server has closed.
final class SilentHolder: Sendable {
    let channels: [Channel]

    /// Opens `count` idle connections to `address` from `source` (a loopback address such as
    /// 127.0.0.2; Linux routes all of 127.0.0.0/8 to the loopback interface).
    init(count: Int, to address: Multiaddr, from source: String) async throws {
        guard let (host, port) = address.tcpHostPort else { throw Libp2pError.unsupportedAddress(address.description) }
        let bootstrap = ClientBootstrap(group: TestHosts.group).bind(to: try SocketAddress(ipAddress: source, port: 0))
        var channels: [Channel] = []
        for _ in 0 ..< count {
            // The kernel completes the TCP handshake before the server accepts, so every connect
            // succeeds even when the server then closes the socket at once.
            channels.append(try await bootstrap.connect(host: host, port: Int(port)).get())
        }
        self.channels = channels
    }

    /// How many connections the server has closed (NIO closes a channel when it reads EOF).
    var closedCount: Int { channels.count { !$0.isActive } }

    /// How many are still open.
    var openCount: Int { channels.count - closedCount }

    /// Closes the connections still open.
    func close() async {
        for channel in channels { try? await channel.close() }
    }
}
