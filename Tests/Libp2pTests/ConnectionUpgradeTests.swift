import NIOCore
import NIOEmbedded
import Testing
@testable import Libp2p

/// The whole connection upgrade (multistream → Noise → multistream → Yamux) between two
/// `EmbeddedChannel`s, with the bytes passed across by hand in chunks of every size: no sockets,
/// so Noise framing and Yamux framing are exercised at every split deterministically.
@Suite(.serialized) struct ConnectionUpgradeTests {
    /// One side of the connection: its channel and what its upgrade produced.
    final class Side: @unchecked Sendable {
        let channel = EmbeddedChannel()
        let identity = PrivateKey()
        var session: YamuxSession?
        var remote: PeerID?
        var failure: Error?
        var inbound: [YamuxStream] = []

        init(initiator: Bool, expectedPeer: PeerID? = nil) throws {
            try ConnectionUpgrade.install(on: channel, identity: identity, isInitiator: initiator, expectedPeer: expectedPeer, yamux: YamuxConfiguration()) { [self] result in
                switch result {
                case .success(let (session, secured)):
                    self.session = session
                    remote = secured.remotePeer
                    session.onInboundStream = { [self] in inbound.append($0) }
                case .failure(let error):
                    failure = error
                }
            }
        }
    }

    /// Moves written bytes across, `chunk` bytes per read, until both sides are quiet.
    static func pump(_ a: Side, _ b: Side, chunk: Int) throws {
        var moved = true
        while moved {
            moved = false
            for (from, to) in [(a, b), (b, a)] {
                from.channel.embeddedEventLoop.run()
                while var buffer = try from.channel.readOutbound(as: ByteBuffer.self) {
                    moved = true
                    while buffer.readableBytes > 0, to.channel.isActive {
                        try to.channel.writeInbound(buffer.readSlice(length: min(chunk, buffer.readableBytes))!)
                    }
                }
            }
        }
    }

    static func connect(_ a: Side, _ b: Side) throws {
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 4001)
        try b.channel.connect(to: address).wait()
        try a.channel.connect(to: address).wait()
    }

    static func pattern(_ count: Int) -> ByteBuffer {
        ByteBuffer(bytes: (0 ..< count).map { UInt8(truncatingIfNeeded: $0 % 251) })
    }

    @Test(arguments: [1, 2, 3, 13, 1000, 65537, 1 << 20])
    func upgradesAndCarriesAStreamAtEverySplit(chunk: Int) throws {
        let dialer = try Side(initiator: true)
        let listener = try Side(initiator: false)
        try Self.connect(dialer, listener)
        try Self.pump(dialer, listener, chunk: chunk)
        #expect(dialer.remote == listener.identity.peerID)
        #expect(listener.remote == dialer.identity.peerID)
        let session = try #require(dialer.session)
        #expect(listener.session != nil)
        // Tiny reads only for a small payload: each read is a pass through the pipeline, and a
        // long burst of them would starve the socket tests running beside this suite.
        let payload = Self.pattern(chunk < 1000 ? 5000 : 600_000)
        let stream = try session.openStream()
        let written = stream.write(payload)
        _ = stream.closeWrite()
        try Self.pump(dialer, listener, chunk: chunk)
        let remote = try #require(listener.inbound.first)
        var received = ByteBuffer()
        var ended = false
        while !ended {
            let read = remote.read(max: 1 << 20)
            try Self.pump(dialer, listener, chunk: chunk)
            if var chunk = try read.wait() { received.writeBuffer(&chunk) } else { ended = true }
        }
        try written.wait()
        #expect(received == payload)
        #expect(dialer.failure == nil && listener.failure == nil)
    }

    @Test func wrongPeerFailsTheDialerWithAClearError() throws {
        let stranger = PrivateKey().peerID
        let dialer = try Side(initiator: true, expectedPeer: stranger)
        let listener = try Side(initiator: false)
        try Self.connect(dialer, listener)
        try Self.pump(dialer, listener, chunk: 4096)
        #expect(dialer.session == nil)
        #expect(dialer.failure as? Libp2pError == .peerIDMismatch(expected: stranger.description, actual: listener.identity.peerID.description))
        #expect(!dialer.channel.isActive)
    }

    @Test func listenerWithoutNoiseGetsNa() throws {
        let listener = try Side(initiator: false)
        try listener.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4001)).wait()
        _ = try listener.channel.readOutbound(as: ByteBuffer.self)
        let proposal = ByteBuffer(bytes: MultistreamCodec.encode(MultistreamCodec.header) + MultistreamCodec.encode("/tls/1.0.0"))
        try listener.channel.writeInbound(proposal)
        var reply = try #require(try listener.channel.readOutbound(as: ByteBuffer.self))
        #expect(try MultistreamCodec.decode(&reply) == MultistreamCodec.notAvailable)
        #expect(listener.channel.isActive)
    }

    @Test func garbageNoiseMessageFailsTheUpgrade() throws {
        // /noise is agreed, then a message that is not a Noise handshake message arrives.
        let fresh = try Side(initiator: true)
        try fresh.channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4001)).wait()
        _ = try fresh.channel.readOutbound(as: ByteBuffer.self)
        var junk = ByteBuffer(bytes: MultistreamCodec.encode(MultistreamCodec.header) + MultistreamCodec.encode(NoiseSecurityHandler.protocolID))
        junk.writeInteger(UInt16(40))
        junk.writeRepeatingByte(0x5A, count: 40)
        try fresh.channel.writeInbound(junk)
        #expect(fresh.failure != nil)
        #expect(!fresh.channel.isActive)
    }
}
