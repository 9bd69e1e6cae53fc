import NIOCore

/// The Yamux multiplexer on a secured channel, once `/yamux/1.0.0` was agreed (see
/// `MultistreamUpgradeHandler`): takes the frames its `YamuxInboundDecoder` decodes, routes them
/// to streams, answers pings and enforces windows and the stream cap. Runs entirely on the
/// channel's event loop.
final class YamuxSession: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = YamuxFramePart
    typealias OutboundOut = ByteBuffer

    /// The multistream protocol id of Yamux.
    static let protocolID = "/yamux/1.0.0"

    /// Called once when the session is ready (or has failed before becoming ready).
    typealias ReadyCallback = (Result<(YamuxSession, NoiseSecuredEvent), Error>) -> Void
    /// Called for every stream the remote opens.
    typealias InboundStreamCallback = (YamuxStream) -> Void

    private enum State {
        case waitingForChannel
        case active
        case closed
    }

    let configuration: YamuxConfiguration
    let isClient: Bool
    private let secured: NoiseSecuredEvent
    private var state: State = .waitingForChannel
    private var context: ChannelHandlerContext?
    private var streams: [UInt32: YamuxStream] = [:]
    private var nextStreamID: UInt32
    private var remoteWentAway = false
    private var pendingPings: [UInt32: EventLoopPromise<Void>] = [:]
    private var nextPingID: UInt32 = 1
    private var onReady: ReadyCallback?
    /// Window added by growth over all open streams (bounded by `maxConnectionWindowGrowth`).
    private var windowGrowth = 0
    /// The round trip measured by a ping when the session became active; nil until answered
    /// (streams do not grow their windows before that).
    private(set) var roundTripTime: TimeAmount?
    /// Set by the owner once ready; receives inbound streams.
    var onInboundStream: InboundStreamCallback?

    /// Creates a session over the channel `secured` describes; the dialling side is the Yamux
    /// client (odd stream ids).
    init(isClient: Bool, configuration: YamuxConfiguration, secured: NoiseSecuredEvent, onReady: @escaping ReadyCallback) {
        self.isClient = isClient
        self.configuration = configuration
        self.secured = secured
        self.onReady = onReady
        nextStreamID = isClient ? 1 : 2
    }

    /// The decoder to put in front of the session: it accepts data frames up to the largest
    /// window a stream can have.
    func makeDecoder() -> ByteToMessageHandler<YamuxInboundDecoder> {
        ByteToMessageHandler(YamuxInboundDecoder(maxDataLength: max(configuration.receiveWindow, configuration.maxReceiveWindow, YamuxConfiguration.initialWindow)))
    }

    /// The number of open streams.
    var streamCount: Int { streams.count }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { activate() }
    }

    func channelActive(context: ChannelHandlerContext) {
        activate()
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    private func activate() {
        guard case .waitingForChannel = state else { return }
        state = .active
        measureRoundTrip()
        let callback = onReady
        onReady = nil
        callback?(.success((self, secured)))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .active = state else { return }
        let part = unwrapInboundIn(data)
        do {
            if part.isFirst { try checkAnnouncedLength(part.frame) }
            try handle(part)
        } catch let error as Libp2pError {
            protocolFailure(context: context, error: error)
        } catch {
            protocolFailure(context: context, error: .yamuxProtocolError("\(error)"))
        }
    }

    /// Rejects a data frame whose header announces more than its stream may still send, before
    /// its payload is gathered: the decoder's own limit is the largest window a stream can grow
    /// to, far more than a connection should make us buffer for a stream that was never granted it.
    private func checkAnnouncedLength(_ frame: YamuxFrame) throws {
        guard frame.type == .data else { return }
        let allowed = streams[frame.streamID]?.remainingCredit ?? max(configuration.receiveWindow, YamuxConfiguration.initialWindow)
        guard frame.length <= allowed else { throw Libp2pError.yamuxWindowExceeded(streamID: frame.streamID) }
    }

    private func handle(_ part: YamuxFramePart) throws {
        let frame = part.frame
        switch frame.type {
        case .ping:
            if frame.flags.contains(.syn) {
                send(YamuxFrame(type: .ping, flags: .ack, streamID: 0, length: frame.length), flush: true)
            } else if frame.flags.contains(.ack) {
                pendingPings.removeValue(forKey: frame.length)?.succeed()
            }
        case .goAway:
            remoteWentAway = true
        case .data, .windowUpdate:
            let stream: YamuxStream
            if part.isFirst, frame.flags.contains(.syn) {
                guard let accepted = try acceptStream(id: frame.streamID) else { return }
                stream = accepted
            } else {
                // Frames for unknown (e.g. already reset) streams are dropped, as go-yamux does.
                guard let known = streams[frame.streamID] else { return }
                stream = known
            }
            if frame.type == .data {
                try stream.receive(data: frame.payload, flags: frame.flags)
            } else {
                try stream.receive(windowDelta: frame.length, flags: frame.flags)
            }
        }
    }

    private func acceptStream(id: UInt32) throws -> YamuxStream? {
        guard id != 0, (id % 2 == 1) != isClient else {
            throw Libp2pError.yamuxProtocolError("remote opened stream \(id) with our parity")
        }
        guard streams[id] == nil else { throw Libp2pError.yamuxProtocolError("remote reopened stream \(id)") }
        guard streams.count < configuration.maxStreams, !isClosing else {
            send(YamuxFrame(type: .windowUpdate, flags: .rst, streamID: id), flush: true)
            return nil
        }
        guard let eventLoop = context?.eventLoop else { return nil }
        let stream = YamuxStream(id: id, session: self, eventLoop: eventLoop, outbound: false)
        streams[id] = stream
        stream.open()
        onInboundStream?(stream)
        return stream
    }

    private var isClosing: Bool {
        if case .closed = state { return true }
        return false
    }

    // MARK: Used by streams and the connection

    /// Opens a new outbound stream.
    func openStream() throws(Libp2pError) -> YamuxStream {
        guard case .active = state, let eventLoop = context?.eventLoop else { throw .connectionClosed }
        guard !remoteWentAway else { throw .connectionClosed }
        guard streams.count < configuration.maxStreams else { throw .tooManyStreams(configuration.maxStreams) }
        guard nextStreamID < UInt32.max - 1 else { throw .yamuxProtocolError("stream ids exhausted") }
        let id = nextStreamID
        nextStreamID += 2
        let stream = YamuxStream(id: id, session: self, eventLoop: eventLoop, outbound: true)
        streams[id] = stream
        stream.open()
        return stream
    }

    /// Sends a session ping and completes when the ACK arrives.
    func ping() -> EventLoopFuture<Void>? {
        guard case .active = state, let context else { return nil }
        let id = nextPingID
        nextPingID &+= 1
        let promise = context.eventLoop.makePromise(of: Void.self)
        pendingPings[id] = promise
        send(YamuxFrame(type: .ping, flags: .syn, streamID: 0, length: id), flush: true)
        return promise.futureResult
    }

    /// Pings once to learn the round-trip time that window growth is judged against.
    private func measureRoundTrip() {
        let start = NIODeadline.now()
        ping()?.whenSuccess { [self] in roundTripTime = NIODeadline.now() - start }
    }

    /// Reserves `bytes` of window growth for a stream; false if the connection's budget is spent.
    func reserveWindowGrowth(_ bytes: Int) -> Bool {
        guard windowGrowth + bytes <= configuration.maxConnectionWindowGrowth else { return false }
        windowGrowth += bytes
        return true
    }

    /// Writes a frame (header, then payload) to the secure channel.
    func send(_ frame: YamuxFrame, flush: Bool, promise: EventLoopPromise<Void>? = nil) {
        guard let context, !isClosing else {
            promise?.fail(Libp2pError.connectionClosed)
            return
        }
        var header = context.channel.allocator.buffer(capacity: YamuxFrame.headerLength)
        frame.writeHeader(into: &header)
        if frame.type == .data, frame.payload.readableBytes > 0 {
            context.write(NIOAny(header), promise: nil)
            context.write(NIOAny(frame.payload), promise: promise)
        } else {
            context.write(NIOAny(header), promise: promise)
        }
        if flush { context.flush() }
    }

    /// Flushes pending writes.
    func flush() {
        context?.flush()
    }

    /// Forgets a finished stream (frees its slot in the cap).
    func remove(_ stream: YamuxStream) {
        if streams[stream.id] === stream {
            streams.removeValue(forKey: stream.id)
            windowGrowth -= stream.windowGrowth
        }
    }

    /// Sends GoAway and closes the channel.
    func shutdown(code: YamuxGoAwayCode = .normal) {
        guard let context, !isClosing else { return }
        if case .active = state {
            send(YamuxFrame(type: .goAway, streamID: 0, length: code.rawValue), flush: true)
        }
        context.close(promise: nil)
    }

    // MARK: Failure and close

    private func protocolFailure(context: ChannelHandlerContext, error: Libp2pError) {
        if case .active = state {
            send(YamuxFrame(type: .goAway, streamID: 0, length: YamuxGoAwayCode.protocolError.rawValue), flush: true)
        }
        finish(error: error)
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // The decoder's verdicts on hostile frames end the session with GoAway, as our own do.
        if let error = error as? Libp2pError {
            switch error {
            case .yamuxBadVersion, .yamuxBadType, .yamuxProtocolError, .yamuxWindowExceeded:
                protocolFailure(context: context, error: error)
                return
            default:
                break
            }
        }
        finish(error: error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(error: Libp2pError.connectionClosed)
        context.fireChannelInactive()
    }

    private func finish(error: Error) {
        if case .closed = state { return }
        state = .closed
        let callback = onReady
        onReady = nil
        callback?(.failure(error))
        let open = Array(streams.values)
        streams.removeAll()
        for stream in open { stream.terminate(.connectionClosed, discardBuffered: false) }
        let pings = pendingPings
        pendingPings.removeAll()
        for promise in pings.values { promise.fail(Libp2pError.connectionClosed) }
    }
}
