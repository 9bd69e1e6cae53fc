import NIOCore
import NIOEmbedded
import Testing
@testable import Libp2p

/// The multistream upgrade step on NIO's `EmbeddedChannel` (no sockets): negotiation on both
/// sides, the hand-over to the next layer with the bytes read past the agreement, and the errors
/// hostile negotiation messages give.
@Suite struct MultistreamUpgradeHandlerTests {
    /// Stands in for the next layer: records what it reads.
    final class NextLayer: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        var received = ByteBuffer()
        var trigger: Any?

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            received.writeBuffer(&buffer)
        }
    }

    /// An event that starts a step (stands in for `NoiseSecuredEvent`).
    struct Go {}

    static func lines(_ lines: String...) -> ByteBuffer {
        ByteBuffer(bytes: lines.flatMap { MultistreamCodec.encode($0) })
    }

    static func outbound(_ channel: EmbeddedChannel) throws -> ByteBuffer {
        var all = ByteBuffer()
        while var buffer = try channel.readOutbound(as: ByteBuffer.self) { all.writeBuffer(&buffer) }
        return all
    }

    /// A channel with one step installed (active unless `active` is false); `next` is the layer
    /// it hands over to and `agreed` records the protocol.
    static func channel(_ negotiator: MultistreamNegotiator, maxLineLength: Int = MultistreamCodec.defaultMaxLineLength, startsAfter: ((Any) -> Bool)? = nil, next: NextLayer, agreed: @escaping (String) -> Void = { _ in }) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        let step = MultistreamUpgradeHandler(negotiator: negotiator, maxLineLength: maxLineLength, startsAfter: startsAfter) { protocolID, trigger in
            agreed(protocolID)
            next.trigger = trigger
            return [next]
        }
        try channel.pipeline.syncOperations.addHandler(step)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 4001)).wait()
        return channel
    }

    @Test func dialerNegotiatesAndHandsTheRestToTheNextLayer() throws {
        let next = NextLayer()
        var agreed: String?
        let channel = try Self.channel(.dialer(proposing: ["/noise"]), next: next) { agreed = $0 }
        #expect(try Self.outbound(channel) == Self.lines(MultistreamCodec.header, "/noise"))
        // The listener's answer and its first handshake bytes in one read.
        var reply = Self.lines(MultistreamCodec.header, "/noise")
        reply.writeBytes([0, 3, 1, 2, 3])
        try channel.writeInbound(reply)
        #expect(agreed == "/noise")
        #expect(next.received == ByteBuffer(bytes: [0, 3, 1, 2, 3]))
        // The step is gone: later bytes go straight to the next layer.
        #expect(throws: ChannelPipelineError.notFound) { try channel.pipeline.syncOperations.context(handlerType: MultistreamUpgradeHandler.self) }
        try channel.writeInbound(ByteBuffer(bytes: [9]))
        #expect(next.received == ByteBuffer(bytes: [0, 3, 1, 2, 3, 9]))
        _ = try channel.finish()
    }

    @Test func listenerAnswersNaThenAgreesAcrossSplitReads() throws {
        let next = NextLayer()
        var agreed: String?
        let channel = try Self.channel(.listener(supported: { $0 == "/yamux/1.0.0" }), next: next) { agreed = $0 }
        #expect(try Self.outbound(channel) == Self.lines(MultistreamCodec.header))
        var input = Self.lines(MultistreamCodec.header, "/mplex/6.7.0", "/yamux/1.0.0")
        input.writeBytes([0, 1, 2])
        // One byte per read: every line is split.
        while let byte = input.readSlice(length: 1) { try channel.writeInbound(byte) }
        #expect(agreed == "/yamux/1.0.0")
        #expect(try Self.outbound(channel) == Self.lines(MultistreamCodec.notAvailable, "/yamux/1.0.0"))
        #expect(next.received == ByteBuffer(bytes: [0, 1, 2]))
        _ = try channel.finish()
    }

    @Test func stepWaitsForItsTriggerAndKeepsEarlyBytes() throws {
        let next = NextLayer()
        let channel = try Self.channel(.listener(supported: { $0 == "/yamux/1.0.0" }), startsAfter: { $0 is Go }, next: next)
        #expect(try Self.outbound(channel).readableBytes == 0)
        try channel.writeInbound(Self.lines(MultistreamCodec.header, "/yamux/1.0.0"))
        #expect(try Self.outbound(channel).readableBytes == 0)
        channel.pipeline.fireUserInboundEventTriggered(Go())
        #expect(try Self.outbound(channel) == Self.lines(MultistreamCodec.header, "/yamux/1.0.0"))
        #expect(next.trigger is Go)
        _ = try channel.finish()
    }

    @Test func unsupportedProtocolFailsTheDialer() throws {
        let channel = try Self.channel(.dialer(proposing: ["/noise"]), next: NextLayer())
        #expect(throws: Libp2pError.protocolNotSupported(["/noise"])) {
            try channel.writeInbound(Self.lines(MultistreamCodec.header, MultistreamCodec.notAvailable))
        }
        #expect(!channel.isActive)
    }

    @Test func oversizedLineIsRejectedBeforeItArrives() throws {
        let channel = try Self.channel(.listener(supported: { _ in true }), maxLineLength: 64, next: NextLayer())
        // A varint length of 5000 and only the first bytes of the line.
        #expect(throws: Libp2pError.multistreamLineTooLong(5000)) {
            try channel.writeInbound(ByteBuffer(bytes: [0x88, 0x27, 0x41, 0x41]))
        }
        #expect(!channel.isActive)
    }

    @Test func garbageInsteadOfTheHeaderIsRejected() throws {
        let channel = try Self.channel(.listener(supported: { _ in true }), next: NextLayer())
        #expect(throws: Libp2pError.self) {
            try channel.writeInbound(Self.lines("GET / HTTP/1.1"))
        }
        #expect(!channel.isActive)
    }

    @Test func lineWithoutNewlineIsRejected() throws {
        let channel = try Self.channel(.listener(supported: { _ in true }), next: NextLayer())
        #expect(throws: Libp2pError.multistreamMalformed("message does not end with a newline")) {
            try channel.writeInbound(ByteBuffer(bytes: [3, 0x61, 0x62, 0x63]))
        }
    }
}
