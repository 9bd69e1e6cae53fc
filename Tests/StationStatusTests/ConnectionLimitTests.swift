import Foundation
import ListenerSupport
import Logging
import NIOCore
import NIOEmbedded
import NIOPosix
import Synchronization
import Testing
@testable import StationStatus

/// A plain TCP connection to the server that sends only what a test writes (an idle client, a
/// slow one, or a hand-written request) and collects what comes back.
struct RawConnection {
    final class Received: Sendable {
        let text = Mutex("")
    }

    final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let received: Received
        init(_ received: Received) { self.received = received }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let chunk = String(buffer: unwrapInboundIn(data))
            received.text.withLock { $0 += chunk }
        }
    }

    let channel: any Channel
    let received: Received

    static func open(port: Int) async throws -> RawConnection {
        let received = Received()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(received)) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return RawConnection(channel: channel, received: received)
    }

    func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text))
    }

    var text: String { received.text.withLock { $0 } }

    /// Waits until the server closes the connection; false if it is still open after `limit`
    /// (a guard against hanging, not a measure of speed: then the test closes it itself).
    func closedByServer(within limit: Duration = .seconds(30)) async -> Bool {
        let channel = self.channel
        let closed = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await channel.closeFuture.get()
                return true
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return false
            }
            let first = await group.next() ?? false
            if !first { channel.close(promise: nil) }
            group.cancelAll()
            return first
        }
        return closed
    }
}

/// Polls `condition` until it holds (false after 30 s: a hang guard, not a timing threshold).
func eventually(_ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// A provider whose restarts wait until the test releases them: connections stay busy.
actor GatedProvider: StatusProvider {
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var released = false

    var pending: Int { waiting.count }

    func release() {
        released = true
        for continuation in waiting { continuation.resume() }
        waiting.removeAll()
    }

    func snapshot() async -> DaemonSnapshot { Fixtures.snapshot() }
    func activity(limit: Int) async -> [ActivityEntry] { [] }
    func restart(module: String) async throws {
        guard !released else { return }
        await withCheckedContinuation { waiting.append($0) }
    }
    func update(module: String, cid: String) async throws -> String { cid }
}

@Suite("Status API connection limits")
struct ConnectionLimitTests {
    static let token = "connection-limit-token-0123456789"

    func withLimitedServer<T: Sendable>(
        provider: any StatusProvider = FixedProvider(snapshot: Fixtures.snapshot(), activity: Fixtures.activity()),
        limits: StatusServerLimits,
        _ body: (_ server: StatusServer, _ port: Int) async throws -> T
    ) async throws -> T {
        let server = StatusServer(provider: provider, port: 0, token: Self.token, limits: limits, logger: Logger(label: "status-limits"))
        let port = try await server.start()
        do {
            let result = try await body(server, port)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    @Test("the defaults stay far below a 256-descriptor limit")
    func defaults() {
        let limits = StatusServerLimits()
        #expect(limits.idleTimeout == .seconds(15))
        #expect(limits.maxConnections == 64)
        #expect(limits.maxConnectionsPerClient == 32)
        #expect(limits.acceptBackoff == .seconds(1))
        let silly = StatusServerLimits(idleTimeout: .zero, maxConnections: -3, maxConnectionsPerClient: 0, acceptBackoff: .seconds(-1))
        #expect(silly.maxConnections == 1 && silly.maxConnectionsPerClient == 1)
        #expect(silly.idleTimeout > .zero && silly.acceptBackoff > .zero)
    }

    @Test("idle connections over the per-client cap are closed, oldest first; an authorised request is still answered")
    func perClientCap() async throws {
        let limits = StatusServerLimits(idleTimeout: .seconds(600), maxConnections: 8, maxConnectionsPerClient: 4)
        try await withLimitedServer(limits: limits) { server, port in
            var idle: [RawConnection] = []
            for _ in 0..<12 { idle.append(try await RawConnection.open(port: port)) }
            // Twelve idle connections from 127.0.0.1, four allowed: the eight oldest make room.
            for (index, connection) in idle.prefix(8).enumerated() {
                #expect(await connection.closedByServer(), "idle connection \(index) is still open")
            }
            #expect(server.connections.counts.total == 4)
            #expect(idle.suffix(4).allSatisfy { $0.channel.isActive })

            let answer = try await call(port: port, "/api/v1/status", token: Self.token)
            #expect(answer.status == 200)
            // The request's connection took the place of the oldest idle one left.
            #expect(await idle[8].closedByServer())
            #expect(server.connections.counts.total <= 4)
            for connection in idle { connection.channel.close(promise: nil) }
        }
    }

    @Test("idle connections, and ones that never finish their request head, are closed after the idle timeout")
    func idleTimeout() async throws {
        // One second, not less: on a loaded machine the requests below must get in before it.
        let limits = StatusServerLimits(idleTimeout: .seconds(1))
        try await withLimitedServer(limits: limits) { server, port in
            let silent = try await RawConnection.open(port: port)
            let slow = try await RawConnection.open(port: port)
            // If the server has already closed it (a slow machine), that is the outcome checked below.
            try? await slow.send("GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n")
            let keptAlive = try await RawConnection.open(port: port)
            try await keptAlive.send("GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer \(Self.token)\r\n\r\n")

            #expect(await silent.closedByServer(), "a connection that sent nothing stays open")
            #expect(await slow.closedByServer(), "a connection with an unfinished request head stays open")
            #expect(await keptAlive.closedByServer(), "an idle keep-alive connection stays open")
            #expect(keptAlive.text.hasPrefix("HTTP/1.1 200"), "the request before going idle was answered")
            #expect(await eventually { server.connections.counts.total == 0 })
        }
    }

    @Test("a client whose connections are all busy is refused; busy connections are never cut")
    func busyConnectionsKept() async throws {
        let provider = GatedProvider()
        let limits = StatusServerLimits(idleTimeout: .seconds(600), maxConnections: 8, maxConnectionsPerClient: 2)
        try await withLimitedServer(provider: provider, limits: limits) { server, port in
            let request = "POST /api/v1/modules/crawler/restart HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer \(Self.token)\r\nContent-Length: 0\r\n\r\n"
            let busy = [try await RawConnection.open(port: port), try await RawConnection.open(port: port)]
            for connection in busy { try await connection.send(request) }
            #expect(await eventually { await provider.pending == 2 })

            let extra = try await RawConnection.open(port: port)
            #expect(await extra.closedByServer(), "a third connection from the same client was kept")
            #expect(extra.text.isEmpty)
            #expect(busy.allSatisfy { $0.channel.isActive })

            await provider.release()
            for connection in busy {
                #expect(await eventually { connection.text.hasPrefix("HTTP/1.1 200") }, "\(connection.text)")
                connection.channel.close(promise: nil)
            }
            #expect(await eventually { server.connections.counts.total == 0 })
        }
    }

    @Test("caps per client and overall: the longest-idle connection makes room, busy ones never do")
    func registryPolicy() throws {
        let registry = ConnectionRegistry(limits: StatusServerLimits(maxConnections: 3, maxConnectionsPerClient: 2))
        func admit(_ client: String) -> (channel: EmbeddedChannel, evicted: [ObjectIdentifier]?) {
            let channel = EmbeddedChannel()
            switch registry.admit(channel, client: client) {
            case .accept(let evicted): return (channel, evicted.map { ObjectIdentifier($0) })
            case .refuse: return (channel, nil)
            }
        }
        let a1 = admit("127.0.0.1"), a2 = admit("127.0.0.1")
        #expect(a1.evicted == [] && a2.evicted == [])
        registry.requestStarted(on: a1.channel)
        registry.requestFinished(on: a1.channel)  // a1 was used more recently than a2
        let a3 = admit("127.0.0.1")
        #expect(a3.evicted == [ObjectIdentifier(a2.channel)], "the client's longest-idle connection goes")
        let b1 = admit("127.0.0.2")
        #expect(b1.evicted == [])
        #expect(registry.counts.total == 3)
        #expect(registry.counts.perClient == ["127.0.0.1": 2, "127.0.0.2": 1])

        // Overall cap: the longest-idle connection of anyone goes (a1).
        let c1 = admit("::1")
        #expect(c1.evicted == [ObjectIdentifier(a1.channel)])

        // Every connection busy: refused, nothing closed.
        for channel in [a3.channel, b1.channel, c1.channel] { registry.requestStarted(on: channel) }
        #expect(admit("127.0.0.3").evicted == nil)
        #expect(admit("127.0.0.2").evicted == nil)
        #expect(registry.counts.total == 3)

        registry.requestFinished(on: b1.channel)
        let d1 = admit("127.0.0.3")
        #expect(d1.evicted == [ObjectIdentifier(b1.channel)])

        registry.remove(d1.channel)
        registry.remove(d1.channel)
        #expect(registry.counts.total == 2)
        #expect(registry.counts.perClient == ["127.0.0.1": 1, "::1": 1])
    }

    /// Counts the reads that reach the channel.
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = Never
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    @Test("accept failing for lack of descriptors pauses accepting for the back-off, then it resumes")
    func acceptBackoffHandler() throws {
        let channel = EmbeddedChannel()
        let guardHandler = StatusServer.acceptPause(.milliseconds(500), logger: Logger(label: "x"))
        let counter = ReadCounter()
        try channel.pipeline.syncOperations.addHandler(guardHandler)
        try channel.pipeline.syncOperations.addHandler(counter, position: .first)

        channel.read()
        #expect(counter.reads == 1)
        for code in [EMFILE, ENFILE, ENOBUFS, ENOMEM] {
            #expect(AcceptPauseHandler.isResourceShortage(code))
        }

        channel.pipeline.fireErrorCaught(IOError(errnoCode: EMFILE, reason: "accept(descriptor:addr:len:)"))
        #expect(guardHandler.isPaused)
        #expect(throws: Never.self) { try channel.throwIfErrorCaught() }  // handled, not passed on
        channel.read()
        #expect(counter.reads == 1, "a read reached the channel while paused")
        // Another failure while paused does not extend the pause.
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(300))
        channel.pipeline.fireErrorCaught(IOError(errnoCode: ENFILE, reason: "accept"))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(199))
        #expect(guardHandler.isPaused)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!guardHandler.isPaused)
        channel.read()
        #expect(counter.reads == 2)

        // Other errors are not this handler's business.
        channel.pipeline.fireErrorCaught(IOError(errnoCode: ECONNABORTED, reason: "accept"))
        #expect(!guardHandler.isPaused)
        #expect(throws: IOError.self) { try channel.throwIfErrorCaught() }
        _ = try channel.finish()
    }

    @Test("on a real server, EMFILE turns accepting off for the back-off; requests are answered after it")
    func acceptBackoffOnServer() async throws {
        let limits = StatusServerLimits(acceptBackoff: .milliseconds(300))
        try await withLimitedServer(limits: limits) { server, port in
            let channel = try #require(await server.serverChannel)
            #expect(try await channel.getOption(ChannelOptions.autoRead).get())
            // What NIO fires when accept(2) fails with EMFILE.
            channel.pipeline.fireErrorCaught(IOError(errnoCode: EMFILE, reason: "accept(descriptor:addr:len:)"))
            // Runs on the server's event loop after the error was handled.
            #expect(try await channel.getOption(ChannelOptions.autoRead).get() == false)
            #expect(try await eventually { try await channel.getOption(ChannelOptions.autoRead).get() })
            #expect(try await call(port: port, "/api/v1/status", token: Self.token).status == 200)
        }
    }
}
