import Crypto
import NIOCore
import NIOPosix
import StationTestSupport
import Synchronization
import Testing
@testable import Libp2p

/// The Noise + Yamux data path over loopback with the receiver reading at most `chunk` bytes per
/// read, so transport messages and Yamux frames arrive split at every kind of boundary.
@Suite struct SecureChannelFramingTests {
    /// A loop of its own: tiny reads keep a loop busy, which would stall other suites' handshakes.
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// Sessions that became ready and the streams their remotes opened.
    final class Sessions: Sendable {
        let ready = Mutex<[YamuxSession]>([])
        let inbound = Mutex<[YamuxStream]>([])
    }

    /// Records the length prefix of every Noise message the channel writes (each flush is one
    /// buffer starting at a message boundary).
    final class MessageRecorder: ChannelOutboundHandler, @unchecked Sendable {
        typealias OutboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let lengths = Mutex<[Int]>([])

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            var view = unwrapOutboundIn(data)
            var found: [Int] = []
            while let length = view.readInteger(as: UInt16.self), view.readSlice(length: Int(length)) != nil {
                found.append(Int(length))
            }
            lengths.withLock { $0 += found }
            context.write(data, promise: promise)
        }
    }

    static func install(on channel: Channel, initiator: Bool, sessions: Sessions, recorder: MessageRecorder?) throws {
        if let recorder { try channel.pipeline.syncOperations.addHandler(recorder) }
        try ConnectionUpgrade.install(on: channel, identity: PrivateKey(), isInitiator: initiator, expectedPeer: nil, yamux: YamuxConfiguration()) { result in
            guard case .success(let (session, _)) = result else { return }
            session.onInboundStream = { stream in sessions.inbound.withLock { $0.append(stream) } }
            sessions.ready.withLock { $0.append(session) }
        }
    }

    static func pattern(_ count: Int) -> ByteBuffer {
        ByteBuffer(bytes: (0 ..< count).map { UInt8(truncatingIfNeeded: $0 % 251) })
    }

    /// Sends `count` bytes client→server on one stream while the server reads at most `chunk`
    /// bytes from the socket at a time; returns what the server's stream read and the Noise
    /// message lengths the client wrote.
    static func transfer(_ count: Int, chunk: Int) async throws -> (ByteBuffer, [Int]) {
        let serverSessions = Sessions()
        let clientSessions = Sessions()
        let recorder = MessageRecorder()
        let server = try await ServerBootstrap(group: Self.group)
            .childChannelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: chunk))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try install(on: channel, initiator: false, sessions: serverSessions, recorder: nil) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let serverAddress = try #require(server.localAddress)
        let client = try await ClientBootstrap(group: Self.group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try install(on: channel, initiator: true, sessions: clientSessions, recorder: recorder) }
            }
            .connect(to: serverAddress).get()
        try await waitUntil(30, "client session ready") { clientSessions.ready.withLock { !$0.isEmpty } }
        let session = try #require(clientSessions.ready.withLock { $0.first })
        let payload = pattern(count)
        let written = client.eventLoop.flatSubmit {
            do {
                let stream = try session.openStream()
                let write = stream.write(payload)
                _ = stream.closeWrite()
                return write
            } catch {
                return client.eventLoop.makeFailedFuture(error)
            }
        }
        try await waitUntil(30, "server accepts the stream") { serverSessions.inbound.withLock { !$0.isEmpty } }
        let inbound = try #require(serverSessions.inbound.withLock { $0.first })
        let received = try await withDeadline(120, "the whole payload arrives") {
            var received = ByteBuffer()
            while var chunk = try await inbound.eventLoop.flatSubmit({ inbound.read(max: 1 << 20) }).get() {
                received.writeBuffer(&chunk)
            }
            return received
        }
        try await written.get()
        try? await client.close()
        try? await server.close()
        return (received, recorder.lengths.withLock { $0 })
    }

    @Test(arguments: [1 << 20, 65537, 65535, 4096, 13])
    func bulkTransferSurvivesEverySplit(chunk: Int) async throws {
        // Over two windows and several maximal Noise messages; less for tiny reads (debug speed).
        let count = chunk < 1024 ? 200 * 1024 : 600 * 1024
        let (received, _) = try await Self.transfer(count, chunk: chunk)
        #expect(received == Self.pattern(count))
    }

    @Test func singleByteReadsStillReassemble() async throws {
        let count = 70 * 1024
        let (received, _) = try await Self.transfer(count, chunk: 1)
        #expect(received == Self.pattern(count))
    }

    @Test func largeWritesFillNoiseMessagesToTheMaximum() async throws {
        let (_, lengths) = try await Self.transfer(600 * 1024, chunk: 1 << 20)
        let full = lengths.filter { $0 == NoiseSecurityHandler.maxMessageLength }
        // 600 KiB of Yamux data is over 9 maximal messages' worth; the batch that ends where the
        // send window ran out may end in a short message, but the others must be full.
        #expect(full.count >= 7)
    }

    @Test func inPlaceTransportSealingMatchesChaChaPoly() throws {
        var initiator = NoiseXXHandshake(role: .initiator, staticKey: .init())
        var responder = NoiseXXHandshake(role: .responder, staticKey: .init())
        try responder.readMessage1(try initiator.writeMessage1())
        _ = try initiator.readMessage2(try responder.writeMessage2(payload: []))
        _ = try responder.readMessage3(try initiator.writeMessage3(payload: []))
        var (send, _) = initiator.split()
        var (_, receive) = responder.split()
        var (reference, _) = initiator.split()
        for size in [0, 1, 1000, NoiseSecurityHandler.maxPlaintextLength] {
            let plaintext = (0 ..< size).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            var message = plaintext + [UInt8](repeating: 0, count: NoiseCipherState.tagLength)
            try message.withUnsafeMutableBytes { bytes in try send.sealInPlace(bytes, plaintextLength: size) }
            // The same key and nonce through swift-crypto's ChaChaPoly (empty AD) must agree.
            #expect(try reference.encrypt(ad: [UInt8](), plaintext: plaintext) == message)
            var opened = [UInt8](repeating: 0, count: size)
            let length = try message.withUnsafeBytes { input in
                try opened.withUnsafeMutableBytes { output in try receive.open(input, into: output) }
            }
            #expect(length == size)
            #expect(opened == plaintext)
        }
        var tampered = [UInt8](repeating: 1, count: 40)
        try tampered.withUnsafeMutableBytes { bytes in try send.sealInPlace(bytes, plaintextLength: 24) }
        tampered[3] ^= 0x20
        var output = [UInt8](repeating: 0, count: 24)
        #expect(throws: Libp2pError.noiseDecryptionFailed) {
            try tampered.withUnsafeBytes { input in try output.withUnsafeMutableBytes { try receive.open(input, into: $0) } }
        }
    }

    @Test func windowGrowsOnlyWhenConsumedWithinFourRoundTrips() {
        let rtt = TimeAmount.milliseconds(10)
        let maximum: UInt32 = 16 << 20
        #expect(YamuxWindowTuning.grownWindow(current: 256 << 10, maximum: maximum, sincePreviousUpdate: .milliseconds(39), roundTrip: rtt) == 512 << 10)
        #expect(YamuxWindowTuning.grownWindow(current: 256 << 10, maximum: maximum, sincePreviousUpdate: .milliseconds(40), roundTrip: rtt) == nil)
        #expect(YamuxWindowTuning.grownWindow(current: 12 << 20, maximum: maximum, sincePreviousUpdate: .zero, roundTrip: rtt) == maximum)
        #expect(YamuxWindowTuning.grownWindow(current: maximum, maximum: maximum, sincePreviousUpdate: .zero, roundTrip: rtt) == nil)
        #expect(YamuxWindowTuning.grownWindow(current: 256 << 10, maximum: maximum, sincePreviousUpdate: .zero, roundTrip: .zero) == nil)
    }
}
