import NIOCore

/// Closes an inbound connection whose remote stays silent while the upgrade runs.
///
/// A TCP connection that never speaks holds a handshake slot until the handshake deadline; a
/// holder with many of them could keep the listener full for as long as it likes. This handler
/// sits first in the pipeline and calls `onSilence` when no byte has arrived for `timeout`: from
/// the moment the connection is active, and again after each read (measured after the read was
/// processed, so our own CPU time, such as verifying a slow signature, never counts as silence).
/// The host removes it once the upgrade finished, so established connections may idle.
///
/// An event loop that was busy past the deadline (another connection's handler blocked it) may
/// still have this connection's bytes unread in the kernel, and NIO runs due timers before it
/// polls sockets again. So the deadline only starts a short confirmation: the connection is
/// closed when a confirmation step fires on time, that is after the loop has had a chance to poll
/// the socket; a late step (the loop was blocked again) is repeated.
final class HandshakeSilenceHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// How long one confirmation step waits, and how late it may fire and still count as on time.
    static let confirmationStep = TimeAmount.milliseconds(50)

    private let timeout: TimeAmount
    private let onSilence: @Sendable () -> Void
    private var timer: Scheduled<Void>?
    /// False while waiting out `timeout`, true once the deadline passed and confirmation runs.
    private var confirming = false
    private var removed = false

    /// `onSilence` runs on the channel's event loop.
    init(timeout: TimeAmount, onSilence: @escaping @Sendable () -> Void) {
        self.timeout = timeout
        self.onSilence = onSilence
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        removed = true
        disarm()
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        disarm()
        context.fireChannelRead(data)
        // The read may have finished the upgrade, which removes this handler.
        if !removed, context.channel.isActive { arm(context: context) }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }

    /// Starts the silence period over.
    private func arm(context: ChannelHandlerContext) {
        guard !removed else { return }
        disarm()
        confirming = false
        schedule(context: context, after: timeout)
    }

    private func schedule(context: ChannelHandlerContext, after delay: TimeAmount) {
        let due = NIODeadline.now() + delay
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: due) { [self] in
            fired(context: context, due: due)
        }
    }

    private func fired(context: ChannelHandlerContext, due: NIODeadline) {
        timer = nil
        guard !removed, context.channel.isActive else { return }
        if !confirming {
            // The deadline passed; confirm after the loop has polled the socket once more.
            confirming = true
            schedule(context: context, after: Self.confirmationStep)
        } else if NIODeadline.now() - due > Self.confirmationStep {
            // Late: the loop was blocked again, so bytes may still be waiting unread.
            schedule(context: context, after: Self.confirmationStep)
        } else {
            onSilence()
        }
    }
}
