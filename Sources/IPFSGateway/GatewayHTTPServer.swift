import IPFS
import NIOCore
import NIOHTTP1
import NIOPosix

/// A trustless gateway over HTTP/1.1: serves `GET /ipfs/{cid}[/path]` with
/// `format=car|raw`, `dag-scope` and `entity-bytes` from a block store, for other peers and tests.
///
/// Built on SwiftNIO's async channels: every connection is served by its own task, requests on a
/// connection are answered in order (keep-alive), and a body is written only as fast as the peer
/// reads it (the writer waits while the socket is not writable), so a slow reader never makes the
/// server buffer a whole CAR.
public final class GatewayHTTPServer: Sendable {
    /// The address the server listens on.
    public let host: String
    /// The bound TCP port (the real one when 0 was asked for).
    public let port: Int
    private let channel: Channel
    private let acceptor: Task<Void, Never>

    /// The base URL clients use, e.g. `http://127.0.0.1:8080`.
    public var baseURL: String {
        host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
    }

    /// Serves `store` read-only as a trustless gateway on `host:port` (port 0 picks a free port).
    /// - Parameter idleTimeout: a connection on which nothing is read or written for this long is closed.
    public static func start(
        serving store: BlockProvider, host: String = "127.0.0.1", port: Int = 0,
        idleTimeout: Duration = .seconds(120),
        group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> GatewayHTTPServer {
        try await start(host: host, port: port, idleTimeout: idleTimeout, group: group, handler: GatewayResponder(provider: store).httpHandler)
    }

    /// Listens on `host:port` and answers every request with `handler` (tests use this to play a
    /// misbehaving gateway).
    public static func start(
        host: String = "127.0.0.1", port: Int = 0, idleTimeout: Duration = .seconds(120),
        group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        handler: @escaping GatewayHTTPHandler
    ) async throws -> GatewayHTTPServer {
        let idle = TimeAmount(idleTimeout)
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: idle))
                    try channel.pipeline.syncOperations.addHandler(GatewayIdleCloser())
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        let boundPort = server.channel.localAddress?.port ?? port
        let acceptor = Task<Void, Never> {
            _ = try? await server.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in connections {
                            group.addTask { await GatewayHTTPConnection.serve(connection, handler: handler) }
                        }
                    } catch {
                        // The listening socket failed or was closed: stop accepting.
                    }
                }
            }
        }
        return GatewayHTTPServer(host: host, port: boundPort, channel: server.channel, acceptor: acceptor)
    }

    private init(host: String, port: Int, channel: Channel, acceptor: Task<Void, Never>) {
        self.host = host
        self.port = port
        self.channel = channel
        self.acceptor = acceptor
    }

    /// Stops listening, cuts open connections and waits until every connection task has ended.
    public func close() async {
        try? await channel.close()
        acceptor.cancel()
        await acceptor.value
    }
}
