import Multiformats
import NIOCore
import NIOPosix
import StationTestSupport
import Testing
@testable import Libp2p

/// Hostile peers against the Yamux session, and back-pressure/disconnect behaviour.
@Suite struct YamuxSessionTests {
    /// A bare listener (Noise + Yamux, no host): nothing ever reads inbound streams, so the
    /// session's own rules are all that act on the hostile frames.
    final class BareServer: @unchecked Sendable {
        let channel: Channel
        let address: Multiaddr

        init(configuration: YamuxConfiguration) async throws {
            let identity = PrivateKey()
            channel = try await ServerBootstrap(group: TestHosts.group)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try ConnectionUpgrade.install(
                            on: channel, identity: identity, isInitiator: false, expectedPeer: nil, yamux: configuration
                        ) { _ in }
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            guard let port = channel.localAddress?.port else { throw Libp2pError.connectionClosed }
            address = try Multiaddr("/ip4/127.0.0.1/tcp/\(port)")
        }

        func close() async {
            try? await channel.close()
        }
    }

    private func securedPeer(_ configuration: YamuxConfiguration = YamuxConfiguration()) async throws -> (BareServer, RawPeer) {
        let server = try await BareServer(configuration: configuration)
        let peer = try await RawPeer(connectingTo: server.address)
        try await peer.secure()
        try await peer.negotiateYamux()
        return (server, peer)
    }

    /// Reads frames until the connection closes; returns them.
    private func drain(_ peer: RawPeer) async throws -> [YamuxFrame] {
        try await withDeadline(20, "connection closes") {
            var frames: [YamuxFrame] = []
            while let frame = try await peer.readFrame() { frames.append(frame) }
            return frames
        }
    }

    @Test func badVersionClosesWithGoAway() async throws {
        let (server, peer) = try await securedPeer()
        try await peer.sendSecure([1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0])
        let frames = try await drain(peer)
        #expect(frames.contains { $0.type == .goAway && $0.length == YamuxGoAwayCode.protocolError.rawValue })
        await server.close()
    }

    @Test func badTypeClosesWithGoAway() async throws {
        let (server, peer) = try await securedPeer()
        try await peer.sendSecure([0, 7, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0])
        let frames = try await drain(peer)
        #expect(frames.contains { $0.type == .goAway && $0.length == YamuxGoAwayCode.protocolError.rawValue })
        await server.close()
    }

    @Test func windowOverflowClosesWithGoAway() async throws {
        let (server, peer) = try await securedPeer()
        try await peer.sendFrame(YamuxFrame(type: .windowUpdate, flags: .syn, streamID: 1))
        // 256 KiB fills the window exactly; one more byte overflows it.
        let chunk = ByteBuffer(repeating: 0x5A, count: 60_000)
        var sent = 0
        while sent < Int(YamuxConfiguration.initialWindow) {
            let size = min(60_000, Int(YamuxConfiguration.initialWindow) - sent)
            try await peer.sendFrame(YamuxFrame(type: .data, streamID: 1, payload: chunk.getSlice(at: 0, length: size) ?? ByteBuffer()))
            sent += size
        }
        try await peer.sendFrame(YamuxFrame(type: .data, streamID: 1, payload: ByteBuffer(bytes: [1])))
        let frames = try await drain(peer)
        #expect(frames.contains { $0.type == .goAway && $0.length == YamuxGoAwayCode.protocolError.rawValue })
        await server.close()
    }

    @Test func oversizedDataHeaderClosesBeforeThePayloadArrives() async throws {
        let (server, peer) = try await securedPeer()
        try await peer.sendFrame(YamuxFrame(type: .windowUpdate, flags: .syn, streamID: 1))
        // Announce 1 MiB (4x the window, within what windows may grow to) but send only 1 KiB:
        // the session must refuse on the header instead of buffering up to the announced length.
        var header = ByteBuffer()
        YamuxFrame(type: .windowUpdate, streamID: 1, length: 1 << 20).writeHeader(into: &header)
        header.setInteger(YamuxFrameType.data.rawValue, at: 1)
        try await peer.sendSecure(Array(header.readableBytesView) + [UInt8](repeating: 0x5A, count: 1024))
        let frames = try await drain(peer)
        #expect(frames.contains { $0.type == .goAway && $0.length == YamuxGoAwayCode.protocolError.rawValue })
        await server.close()
    }

    @Test func dataOnAResetStreamIsIgnored() async throws {
        let (server, peer) = try await securedPeer()
        try await peer.sendFrame(YamuxFrame(type: .windowUpdate, flags: .syn, streamID: 1))
        try await peer.sendFrame(YamuxFrame(type: .windowUpdate, flags: .rst, streamID: 1))
        try await peer.sendFrame(YamuxFrame(type: .data, streamID: 1, payload: ByteBuffer(bytes: [1, 2, 3])))
        try await peer.sendFrame(YamuxFrame(type: .ping, flags: .syn, streamID: 0, length: 5))
        // The session survives: the ping is answered, and no GoAway was sent.
        var sawPong = false
        while !sawPong, let frame = try await withDeadline(20, "pong", { () async throws -> YamuxFrame? in try await peer.readFrame() }) {
            #expect(frame.type != .goAway)
            sawPong = frame.type == .ping && frame.flags == .ack && frame.length == 5
        }
        #expect(sawPong)
        await peer.close()
        await server.close()
    }

    @Test func streamsBeyondTheCapAreReset() async throws {
        var configuration = YamuxConfiguration()
        configuration.maxStreams = 3
        let (server, peer) = try await securedPeer(configuration)
        for id in stride(from: UInt32(1), through: 9, by: 2) {
            try await peer.sendFrame(YamuxFrame(type: .windowUpdate, flags: .syn, streamID: id))
        }
        var acked: Set<UInt32> = []
        var reset: Set<UInt32> = []
        while acked.count + reset.count < 5, let frame = try await withDeadline(20, "stream replies", { () async throws -> YamuxFrame? in try await peer.readFrame() }) {
            if frame.flags.contains(.rst) { reset.insert(frame.streamID) } else if frame.flags.contains(.ack) { acked.insert(frame.streamID) }
        }
        #expect(acked == [1, 3, 5])
        #expect(reset == [7, 9])
        await peer.close()
        await server.close()
    }

    @Test func slowReaderKeepsBufferedMemoryBounded() async throws {
        let (server, address) = try await TestHosts.listeningHost()
        let captured = StreamBox()
        server.setStreamHandler(protocol: "/station-test/never-read/1.0.0") { stream in
            captured.stream = stream
            try? await Task.sleep(for: .seconds(60))
        }
        let client = Libp2pHost(group: TestHosts.group)
        let stream = try await client.newStream(to: address, protocol: "/station-test/never-read/1.0.0")
        let progress = ProgressCounter()
        let writer = Task {
            for _ in 0 ..< 64 {
                try await stream.write(ByteBuffer(repeating: 7, count: 64 * 1024))
                progress.add(64 * 1024)
            }
        }
        try await waitUntil(20, "receiver buffers a full window") {
            guard let core = captured.stream?.core else { return false }
            // Negotiation already used a few bytes of the window.
            return try await core.eventLoop.submit { core.bufferedBytes }.get() >= Int(YamuxConfiguration.initialWindow) - 1024
        }
        let core = try #require(captured.stream?.core)
        let buffered = try await core.eventLoop.submit { core.bufferedBytes }.get()
        #expect(buffered <= Int(YamuxConfiguration.initialWindow))
        // The writer is stalled: it cannot have completed more than the window allows.
        #expect(progress.value <= Int(YamuxConfiguration.initialWindow))
        writer.cancel()
        stream.reset()
        await client.close()
        await server.close()
    }

    @Test func abruptDisconnectFailsTheRemoteReader() async throws {
        let (server, address) = try await TestHosts.listeningHost()
        let outcome = OutcomeBox()
        server.setStreamHandler(protocol: "/station-test/reader/1.0.0") { stream in
            do {
                while try await stream.read() != nil {}
                outcome.set("eof")
            } catch {
                outcome.set("error: \(error)")
            }
        }
        let client = Libp2pHost(group: TestHosts.group)
        let stream = try await client.newStream(to: address, protocol: "/station-test/reader/1.0.0")
        try await stream.write([1, 2, 3])
        stream.connection.abort()
        try await waitUntil(20, "server reader finishes") { outcome.value != nil }
        #expect(outcome.value == "error: \(Libp2pError.connectionClosed)")
        await #expect(throws: Libp2pError.self) { try await stream.write([4]) }
        await client.close()
        await server.close()
    }
}

/// Thread-safe holders used by the tests above.
final class StreamBox: @unchecked Sendable {
    private let lock = NSLockCompat()
    private var value: Libp2pStream?
    var stream: Libp2pStream? {
        get { lock.with { value } }
        set { lock.with { value = newValue } }
    }
}

final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLockCompat()
    private var total = 0
    func add(_ count: Int) { lock.with { total += count } }
    var value: Int { lock.with { total } }
}

final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLockCompat()
    private var stored: String?
    func set(_ text: String) { lock.with { if stored == nil { stored = text } } }
    var value: String? { lock.with { stored } }
}
