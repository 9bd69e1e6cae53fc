#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP/1.1 server on 127.0.0.1 that answers every request with a fixed body.
enum LoopbackServer {
    /// Binds `127.0.0.1:port` (0: any free port), prints `listening on http://127.0.0.1:PORT/`
    /// and serves until the process is killed.
    static func run(port: Int, bodyBytes: Int) async throws {
        let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: bodyBytes)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(FixedBodyHandler(body: body))
                }
            }
            .bind(host: "127.0.0.1", port: port)
            .get()
        let boundPort = channel.localAddress?.port ?? port
        print("listening on http://127.0.0.1:\(boundPort)/ body=\(bodyBytes) bytes")
        fflush(nil)  // the caller waits for this line on a pipe or file
        try await channel.closeFuture.get()
    }
}
