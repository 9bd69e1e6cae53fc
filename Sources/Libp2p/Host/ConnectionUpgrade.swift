import NIOCore

/// Upgrades a raw TCP channel to a multiplexed libp2p connection, one layer at a time (the
/// libp2p connection-upgrade sequence, modelled on rust-libp2p's upgrades):
///
///     TCP → [multistream: /noise] → Noise → [multistream: /yamux/1.0.0] → Yamux
///
/// Each bracket is a `MultistreamUpgradeHandler` that negotiates and then replaces itself with
/// the next layer; the pipeline ends up as `NoiseFrameDecoder`, `NoiseSecurityHandler`,
/// `YamuxInboundDecoder`, `YamuxSession`. The dialer proposes, the listener accepts.
public enum ConnectionUpgrade {
    /// The same upgrade for code outside this module that drives a channel by hand (the Noise
    /// fuzz harness feeds hostile bytes to an `EmbeddedChannel`): `onResult` is called at most
    /// once, with the authenticated remote peer or the first error. Default Yamux settings.
    public static func install(
        on channel: Channel, identity: PrivateKey, isInitiator: Bool, onResult: @escaping (Result<PeerID, Error>) -> Void
    ) throws {
        try install(on: channel, identity: identity, isInitiator: isInitiator, expectedPeer: nil, yamux: YamuxConfiguration()) { result in
            onResult(result.map { $0.1.remotePeer })
        }
    }

    /// Installs the first step on `channel` (on its event loop). `onReady` is called exactly
    /// once: with the session and the authenticated remote, or with the first error (malformed
    /// negotiation, unsupported protocol, failed handshake, or a closed connection).
    static func install(
        on channel: Channel,
        identity: PrivateKey,
        isInitiator: Bool,
        expectedPeer: PeerID?,
        yamux: YamuxConfiguration,
        maxLineLength: Int = MultistreamCodec.defaultMaxLineLength,
        onReady: @escaping YamuxSession.ReadyCallback
    ) throws {
        let ready = ReadyOnce(onReady)
        let security = MultistreamUpgradeHandler(negotiator: negotiator(isInitiator, NoiseSecurityHandler.protocolID), maxLineLength: maxLineLength) { _, _ in
            let muxer = MultistreamUpgradeHandler(
                negotiator: negotiator(isInitiator, YamuxSession.protocolID), maxLineLength: maxLineLength,
                startsAfter: { $0 is NoiseSecuredEvent }
            ) { _, trigger in
                guard let secured = trigger as? NoiseSecuredEvent else { throw Libp2pError.noiseHandshakeFailed("no secured channel") }
                let session = YamuxSession(isClient: isInitiator, configuration: yamux, secured: secured) { ready.call($0) }
                return [session.makeDecoder(), session]
            }
            return [
                ByteToMessageHandler(NoiseFrameDecoder()),
                NoiseSecurityHandler(identity: identity, isInitiator: isInitiator, expectedPeer: expectedPeer),
                muxer,
            ]
        }
        try channel.pipeline.syncOperations.addHandlers([security, UpgradeFailureHandler(ready: ready)])
    }

    private static func negotiator(_ isInitiator: Bool, _ protocolID: String) -> MultistreamNegotiator {
        isInitiator ? .dialer(proposing: [protocolID]) : .listener(supported: { $0 == protocolID })
    }
}

/// Calls the ready callback at most once (used on the channel's event loop only).
private final class ReadyOnce {
    private var callback: YamuxSession.ReadyCallback?

    init(_ callback: @escaping YamuxSession.ReadyCallback) {
        self.callback = callback
    }

    func call(_ result: Result<(YamuxSession, NoiseSecuredEvent), Error>) {
        let callback = self.callback
        self.callback = nil
        callback?(result)
    }
}

/// The last handler during the upgrade: an error no layer handled (negotiation or handshake)
/// fails the upgrade with that error and closes the channel. (Once Yamux runs, the session
/// handles errors itself.)
private final class UpgradeFailureHandler: ChannelInboundHandler {
    typealias InboundIn = Any

    private let ready: ReadyOnce

    init(ready: ReadyOnce) {
        self.ready = ready
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        ready.call(.failure(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        ready.call(.failure(Libp2pError.connectionClosed))
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Bytes no layer claimed (none should reach here): dropped.
    }
}
