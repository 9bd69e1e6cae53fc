import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A request as the test server received it.
struct TestRequest: Sendable {
    var method: String
    /// The request target: path and query, e.g. `/items?page=2`.
    var path: String
    var headers: [(String, String)]
    var body: [UInt8]

    /// The first value of header `name` (case-insensitive).
    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// What the test server answers, including misbehaviour (stalls, early close, slow drip).
struct TestResponse: Sendable {
    /// The body bytes.
    enum Body: Sendable {
        case bytes([UInt8])
        /// `count` copies of `byte`, generated while writing (for huge bodies).
        case repeated(UInt8, count: Int)

        var count: Int {
            switch self {
            case .bytes(let bytes): bytes.count
            case .repeated(_, let count): count
            }
        }
    }
    /// How the body length is announced.
    enum Framing: Sendable {
        /// `Content-Length` with the real length.
        case contentLength
        /// `Transfer-Encoding: chunked`.
        case chunked
        /// `Content-Length` with this (possibly false) value.
        case declaredLength(Int)
    }
    /// How the response ends.
    enum Ending: Sendable {
        /// The whole body, then the end of the message.
        case complete
        /// Send this many body bytes, then go silent (keep the connection open).
        case stall(afterBytes: Int)
        /// Send this many body bytes, then close the connection.
        case close(afterBytes: Int)
    }

    var status: Int = 200
    var headers: [(String, String)] = []
    var body: Body = .bytes([])
    var framing: Framing = .contentLength
    var ending: Ending = .complete
    /// Write the body in pieces of `chunkBytes`, pausing `interval` between them.
    var drip: (chunkBytes: Int, interval: Duration)?

    /// A `text/plain` response.
    static func text(_ text: String, status: Int = 200) -> TestResponse {
        TestResponse(status: status, headers: [("Content-Type", "text/plain")], body: .bytes(Array(text.utf8)))
    }

    /// A redirect to `location`.
    static func redirect(to location: String, status: Int = 302) -> TestResponse {
        TestResponse(status: status, headers: [("Location", location)])
    }
}

/// A small HTTP/1.1 server on 127.0.0.1 (optionally with TLS) for tests, answering with a
/// handler the test supplies, and counting connections and requests.
///
/// ```swift
/// let server = try await TestHTTPServer.start { request in
///     request.path == "/hello" ? .text("hi") : TestResponse(status: 404)
/// }
/// let url = server.url("/hello")        // http://127.0.0.1:PORT/hello
/// ...
/// try await server.stop()
/// ```
final class TestHTTPServer: @unchecked Sendable {
    typealias Handler = @Sendable (TestRequest) async -> TestResponse

    /// The port the server listens on (on 127.0.0.1).
    let port: Int
    /// Whether the server speaks TLS.
    let usesTLS: Bool
    private let serverChannel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    private let lock = NSLock()
    private var opened = 0
    private var closed = 0
    private var requests: [TestRequest] = []
    private var children: [any Channel] = []
    private var acceptTask: Task<Void, Never>?

    private init(port: Int, usesTLS: Bool, serverChannel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>) {
        self.port = port
        self.usesTLS = usesTLS
        self.serverChannel = serverChannel
    }

    /// Starts a server on an ephemeral port of 127.0.0.1; with `tls`, it serves HTTPS with the
    /// authority's server certificate.
    static func start(tls: TestCertificateAuthority? = nil, handler: @escaping Handler) async throws -> TestHTTPServer {
        var sslContext: NIOSSLContext?
        if let tls {
            let chain = try NIOSSLCertificate.fromPEMFile(tls.certificateFile).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: tls.keyFile, format: .pem)
            sslContext = try NIOSSLContext(configuration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
        }
        let box = ServerBox()
        let context = sslContext
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture {
                    box.server?.connectionOpened(child)
                    if let context {
                        try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    }
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
                }
            }
        guard let port = channel.channel.localAddress?.port else {
            try? await channel.channel.close()
            throw ChannelError.unknownLocalAddress
        }
        let server = TestHTTPServer(port: port, usesTLS: tls != nil, serverChannel: channel)
        box.server = server
        server.acceptTask = Task {
            try? await withThrowingDiscardingTaskGroup { group in
                try await channel.executeThenClose { inbound in
                    for try await connection in inbound {
                        group.addTask { await server.serve(connection, handler: handler) }
                    }
                }
            }
        }
        return server
    }

    /// `http://127.0.0.1:PORT` + `path` (`https` for a TLS server).
    func url(_ path: String) -> String {
        "\(usesTLS ? "https" : "http")://127.0.0.1:\(port)\(path)"
    }

    /// Connections accepted so far.
    var connectionsOpened: Int { lock.withLock { opened } }
    /// Connections that have closed so far.
    var connectionsClosed: Int { lock.withLock { closed } }
    /// Requests received so far, in order (complete requests only).
    var receivedRequests: [TestRequest] { lock.withLock { requests } }

    /// Stops listening, closes every connection and waits for the handlers to end.
    func stop() async throws {
        let open = lock.withLock { children }
        for child in open { child.close(promise: nil) }
        try? await serverChannel.channel.close()
        acceptTask?.cancel()
        await acceptTask?.value
    }

    private func connectionOpened(_ channel: any Channel) {
        lock.withLock {
            opened += 1
            children.append(channel)
        }
        channel.closeFuture.whenComplete { _ in
            self.lock.withLock { self.closed += 1 }
        }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, handler: Handler) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                    body = []
                case .body(var buffer):
                    body += buffer.readBytes(length: buffer.readableBytes) ?? []
                case .end:
                    guard let requestHead = head else { continue }
                    let request = TestRequest(
                        method: requestHead.method.rawValue, path: requestHead.uri,
                        headers: requestHead.headers.map { ($0.name, $0.value) }, body: body)
                    lock.withLock { requests.append(request) }
                    let response = await handler(request)
                    let keepOpen = try await write(response, to: outbound, channel: connection.channel)
                    if !keepOpen { return }
                }
            }
        }
    }

    /// Writes `response`; returns whether the connection may serve another request.
    private func write(_ response: TestResponse, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, channel: any Channel) async throws -> Bool {
        var headers = HTTPHeaders(response.headers)
        switch response.framing {
        case .contentLength: headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        case .declaredLength(let length): headers.replaceOrAdd(name: "Content-Length", value: String(length))
        case .chunked: headers.replaceOrAdd(name: "Transfer-Encoding", value: "chunked")
        }
        let status = HTTPResponseStatus(statusCode: response.status)
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
        var limit = response.body.count
        switch response.ending {
        case .complete: break
        case .stall(let bytes), .close(let bytes): limit = min(limit, bytes)
        }
        let pieceSize = max(1, response.drip?.chunkBytes ?? 16 << 10)
        var written = 0
        while written < limit {
            let size = min(pieceSize, limit - written)
            let piece: [UInt8]
            switch response.body {
            case .bytes(let bytes): piece = Array(bytes[written..<(written + size)])
            case .repeated(let byte, _): piece = [UInt8](repeating: byte, count: size)
            }
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: piece))))
            written += size
            if let drip = response.drip, written < limit { try await Task.sleep(for: drip.interval) }
        }
        switch response.ending {
        case .complete:
            try await outbound.write(.end(nil))
            return true
        case .close:
            return false
        case .stall:
            while channel.isActive { try await Task.sleep(for: .milliseconds(20)) }
            return false
        }
    }
}

/// Lets the bind initializer reach the server object created after binding.
private final class ServerBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: TestHTTPServer?
    var server: TestHTTPServer? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
