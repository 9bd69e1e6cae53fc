import NIOCore

/// Closes a connection on which nothing was read or written for the idle time (fed by an
/// `IdleStateHandler` in front of it), so idle or stalled clients cannot hold connections forever.
final class GatewayIdleCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case IdleStateHandler.IdleStateEvent.all? = event as? IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
