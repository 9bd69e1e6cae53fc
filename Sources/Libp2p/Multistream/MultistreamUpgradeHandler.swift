import NIOCore

/// One step of the libp2p connection upgrade (the rust-libp2p model): negotiates a protocol with
/// multistream-select on the channel, then puts the next layer's handlers in its own place and
/// hands them the bytes that arrived after the agreement.
///
/// The host chains two of these: TCP → [multistream: `/noise`] → Noise → [multistream:
/// `/yamux/1.0.0`] → Yamux. The layers themselves contain no negotiation code.
///
/// A step starts when the channel is active, or, when `startsAfter` is given, when a matching
/// inbound user event arrives (the secured channel's `NoiseSecuredEvent`); bytes read before
/// that are kept. Negotiation failures (malformed or oversized lines, no common protocol) are
/// fired as errors and close the channel.
final class MultistreamUpgradeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Builds the next layer for the agreed protocol; `trigger` is the event that started the
    /// step (nil for a step started by the channel becoming active). The handlers are added
    /// right behind this one, in order, before it removes itself.
    typealias Upgrade = (_ protocolID: String, _ trigger: Any?) throws -> [ChannelHandler]

    private enum State {
        case waiting
        case negotiating
        case done
        case failed
    }

    private var negotiator: MultistreamNegotiator
    private let maxLineLength: Int
    private let startsAfter: ((Any) -> Bool)?
    private let upgrade: Upgrade
    private var state = State.waiting
    private var trigger: Any?
    private var buffer = ByteBuffer()

    /// Creates a step running `negotiator` (a dialer proposing, or a listener accepting).
    init(negotiator: MultistreamNegotiator, maxLineLength: Int = MultistreamCodec.defaultMaxLineLength, startsAfter: ((Any) -> Bool)? = nil, upgrade: @escaping Upgrade) {
        self.negotiator = negotiator
        self.maxLineLength = maxLineLength
        self.startsAfter = startsAfter
        self.upgrade = upgrade
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if startsAfter == nil, context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if startsAfter == nil { start(context: context) }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case .waiting = state, let startsAfter, startsAfter(event) else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        trigger = event
        context.fireUserInboundEventTriggered(event)
        start(context: context)
    }

    private func start(context: ChannelHandlerContext) {
        guard case .waiting = state else { return }
        state = .negotiating
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: negotiator.start())), promise: nil)
        process(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        switch state {
        case .done:
            // Only between the agreement and the removal (a reentrant read): pass it on.
            context.fireChannelRead(data)
            return
        case .failed:
            return
        case .waiting, .negotiating:
            // Without a line in progress, at most one line plus its length prefix is kept:
            // `MultistreamCodec.decode` rejects a longer declared length as soon as it is read.
            buffer.writeBuffer(&incoming)
            if case .negotiating = state { process(context: context) }
        }
    }

    private func process(context: ChannelHandlerContext) {
        do throws(any Error) {
            while case .negotiating = state, let line = try MultistreamCodec.decode(&buffer, maxLineLength: maxLineLength) {
                switch try negotiator.receive(line) {
                case .continue:
                    break
                case .send(let bytes):
                    context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
                case .agreed(let protocolID, let bytes):
                    if !bytes.isEmpty { context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil) }
                    try handOver(context: context, protocolID: protocolID)
                }
            }
        } catch {
            state = .failed
            buffer = ByteBuffer()
            context.fireErrorCaught(error)
            context.close(promise: nil)
        }
    }

    /// Adds the next layer behind this handler, gives it the bytes read past the agreement and
    /// removes this handler.
    private func handOver(context: ChannelHandlerContext, protocolID: String) throws {
        state = .done
        let next = try upgrade(protocolID, trigger)
        trigger = nil
        try context.pipeline.syncOperations.addHandlers(next, position: .after(self))
        // The first layer may write on being added (a Noise initiator's first message): flush
        // it together with our own agreement line.
        context.flush()
        let rest = buffer
        buffer = ByteBuffer()
        if rest.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(rest)) }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
