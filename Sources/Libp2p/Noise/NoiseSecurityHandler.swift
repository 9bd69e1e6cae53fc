import Crypto
import NIOCore

/// Fired inbound once the Noise handshake succeeds, naming the authenticated remote.
struct NoiseSecuredEvent: Sendable {
    /// The remote's identity key (signature verified).
    let remoteKey: PublicKey
    /// The remote's peer ID.
    let remotePeer: PeerID
}

/// Secures a channel with Noise once `/noise` was agreed (see `MultistreamUpgradeHandler`): runs
/// the Noise XX handshake with the libp2p payload, then encrypts outbound and decrypts inbound
/// bytes. It sits behind a `NoiseFrameDecoder`, which hands it whole messages.
///
/// Inbound it emits plaintext `ByteBuffer`s, one per batch of messages (one per socket read);
/// outbound it accepts plaintext, buffers it until `flush`, and sends it as Noise transport
/// messages (2-byte big-endian length, ≤ 65535 bytes). Plaintext written before the handshake
/// finished is sent right after it.
final class NoiseSecurityHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// The multistream protocol id of Noise.
    static let protocolID = "/noise"
    /// The largest Noise message.
    static let maxMessageLength = 65535
    /// The largest plaintext in one transport message.
    static let maxPlaintextLength = maxMessageLength - NoiseCipherState.tagLength

    private enum State {
        case idle
        case handshaking(step: Int)
        case established
        case failed
    }

    private let identity: PrivateKey
    private let expectedPeer: PeerID?
    private let isInitiator: Bool
    private var state: State = .idle
    private var handshake: NoiseXXHandshake
    private var sendCipher = NoiseCipherState()
    private var receiveCipher = NoiseCipherState()
    /// Plaintext written since the last flush, kept as the caller's buffers (copied once, into
    /// the outgoing Noise frames, at flush).
    private var pendingPlaintext = CircularBuffer<ByteBuffer>()
    private var pendingPlaintextBytes = 0
    private var pendingPromises: [EventLoopPromise<Void>] = []

    /// Creates the handler; an initiator with `expectedPeer` rejects any other remote identity.
    init(identity: PrivateKey, isInitiator: Bool, expectedPeer: PeerID?) {
        self.identity = identity
        self.isInitiator = isInitiator
        self.expectedPeer = expectedPeer
        handshake = NoiseXXHandshake(role: isInitiator ? .initiator : .responder, staticKey: Curve25519.KeyAgreement.PrivateKey())
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard case .idle = state else { return }
        state = .handshaking(step: 0)
        guard isInitiator else { return }
        do {
            sendHandshakeMessage(context: context, try handshake.writeMessage1())
            context.flush()
        } catch {
            fail(context: context, error: error)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var messages = unwrapInboundIn(data)
        do {
            while case .handshaking(let step) = state, let message = Self.readMessage(from: &messages) {
                try handleHandshake(context: context, step: step, message: message)
            }
            switch state {
            case .established:
                guard messages.readableBytes > 0 else { return }
                var output = context.channel.allocator.buffer(capacity: messages.readableBytes)
                try decryptFrames(from: &messages, into: &output)
                if output.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(output)) }
            case .idle:
                throw Libp2pError.noiseHandshakeFailed("data before the handshake started")
            case .handshaking, .failed:
                return
            }
        } catch {
            fail(context: context, error: error)
        }
    }

    private static func readMessage(from buffer: inout ByteBuffer) -> [UInt8]? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
              buffer.readableBytes >= 2 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 2)
        return buffer.readBytes(length: Int(length))
    }

    /// Opens the complete transport messages at the front of `buffer` into `output`.
    private func decryptFrames(from buffer: inout ByteBuffer, into output: inout ByteBuffer) throws {
        while let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self), buffer.readableBytes >= 2 + Int(length) {
            let messageLength = Int(length)
            guard messageLength >= NoiseCipherState.tagLength else { throw Libp2pError.noiseDecryptionFailed }
            try buffer.withUnsafeReadableBytes { source in
                let message = UnsafeRawBufferPointer(rebasing: source[2 ..< 2 + messageLength])
                _ = try output.writeWithUnsafeMutableBytes(minimumWritableBytes: messageLength - NoiseCipherState.tagLength) { target in
                    try receiveCipher.open(message, into: target)
                }
            }
            buffer.moveReaderIndex(forwardBy: 2 + messageLength)
        }
    }

    private func handleHandshake(context: ChannelHandlerContext, step: Int, message: [UInt8]) throws {
        switch (isInitiator, step) {
        case (true, 0):
            let payload = try handshake.readMessage2(message)
            let remote = try authenticate(payload)
            let ours = try NoiseHandshakePayload(identity: identity, noiseStaticKey: handshake.localStaticPublicKey)
            sendHandshakeMessage(context: context, try handshake.writeMessage3(payload: ours.encoded))
            establish(context: context, remote: remote)
        case (false, 0):
            try handshake.readMessage1(message)
            let ours = try NoiseHandshakePayload(identity: identity, noiseStaticKey: handshake.localStaticPublicKey)
            sendHandshakeMessage(context: context, try handshake.writeMessage2(payload: ours.encoded))
            context.flush()
            state = .handshaking(step: 1)
        case (false, 1):
            let payload = try handshake.readMessage3(message)
            establish(context: context, remote: try authenticate(payload))
        default:
            throw Libp2pError.noiseHandshakeFailed("unexpected handshake message")
        }
    }

    private func authenticate(_ payloadBytes: [UInt8]) throws -> PublicKey {
        guard let remoteStatic = handshake.remoteStatic else { throw Libp2pError.noiseHandshakeFailed("no remote static key") }
        let payload = try NoiseHandshakePayload(decoding: payloadBytes)
        let key = try payload.verify(remoteNoiseStaticKey: Array(remoteStatic.rawRepresentation))
        if let expectedPeer, !expectedPeer.matches(key) {
            throw Libp2pError.peerIDMismatch(expected: expectedPeer.description, actual: key.peerID.description)
        }
        return key
    }

    private func sendHandshakeMessage(context: ChannelHandlerContext, _ message: [UInt8]) {
        var buffer = context.channel.allocator.buffer(capacity: message.count + 2)
        buffer.writeInteger(UInt16(message.count))
        buffer.writeBytes(message)
        context.write(NIOAny(buffer), promise: nil)
    }

    private func establish(context: ChannelHandlerContext, remote: PublicKey) {
        let (send, receive) = handshake.split()
        sendCipher = send
        receiveCipher = receive
        state = .established
        context.fireUserInboundEventTriggered(NoiseSecuredEvent(remoteKey: remote, remotePeer: remote.peerID))
        flush(context: context)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .failed = state {
            promise?.fail(Libp2pError.connectionClosed)
            return
        }
        let buffer = unwrapOutboundIn(data)
        if buffer.readableBytes > 0 {
            pendingPlaintext.append(buffer)
            pendingPlaintextBytes += buffer.readableBytes
        }
        if let promise { pendingPromises.append(promise) }
    }

    /// Encrypts everything written since the last flush into as few, as full transport messages
    /// as possible (65535 bytes each), in one buffer, and writes and flushes that buffer once.
    func flush(context: ChannelHandlerContext) {
        guard case .established = state else { return }
        guard pendingPlaintextBytes > 0 else {
            // Handshake messages written just before may still wait for a flush.
            context.flush()
            let promises = pendingPromises
            pendingPromises.removeAll()
            promises.forEach { $0.succeed() }
            return
        }
        let frames = (pendingPlaintextBytes + Self.maxPlaintextLength - 1) / Self.maxPlaintextLength
        var output = context.channel.allocator.buffer(capacity: pendingPlaintextBytes + frames * (2 + NoiseCipherState.tagLength))
        do {
            while pendingPlaintextBytes > 0 {
                let length = min(Self.maxPlaintextLength, pendingPlaintextBytes)
                output.writeInteger(UInt16(length + NoiseCipherState.tagLength))
                let start = output.writerIndex - output.readerIndex
                movePendingPlaintext(length, into: &output)
                output.writeRepeatingByte(0, count: NoiseCipherState.tagLength)
                try output.withUnsafeMutableReadableBytes { bytes throws(Libp2pError) in
                    try sendCipher.sealInPlace(UnsafeMutableRawBufferPointer(rebasing: bytes[start...]), plaintextLength: length)
                }
            }
        } catch {
            fail(context: context, error: error)
            return
        }
        let promises = pendingPromises
        pendingPromises.removeAll()
        if promises.isEmpty {
            context.writeAndFlush(NIOAny(output), promise: nil)
        } else {
            let written = context.eventLoop.makePromise(of: Void.self)
            for promise in promises { written.futureResult.cascade(to: promise) }
            context.writeAndFlush(NIOAny(output), promise: written)
        }
    }

    /// Copies the first `count` pending plaintext bytes to `output`, consuming them.
    private func movePendingPlaintext(_ count: Int, into output: inout ByteBuffer) {
        var remaining = count
        while remaining > 0, var head = pendingPlaintext.first {
            let take = min(remaining, head.readableBytes)
            var part = head.readSlice(length: take) ?? ByteBuffer()
            output.writeBuffer(&part)
            if head.readableBytes == 0 {
                pendingPlaintext.removeFirst()
            } else {
                pendingPlaintext[pendingPlaintext.startIndex] = head
            }
            remaining -= take
            pendingPlaintextBytes -= take
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        failPendingWrites(Libp2pError.connectionClosed)
        context.fireChannelInactive()
    }

    private func failPendingWrites(_ error: Error) {
        let promises = pendingPromises
        pendingPromises.removeAll()
        pendingPlaintext.removeAll()
        pendingPlaintextBytes = 0
        promises.forEach { $0.fail(error) }
    }

    private func fail(context: ChannelHandlerContext, error: Error) {
        if case .failed = state { return }
        state = .failed
        failPendingWrites(error)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }
}
