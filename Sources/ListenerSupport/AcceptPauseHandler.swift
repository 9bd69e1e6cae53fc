import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Sits on a listening channel and stops accepting for a while when `accept` fails for lack of
/// resources (out of file descriptors, kernel memory), so the listener does not spin a core.
///
/// Hand-written because NIO's `AcceptBackoffHandler` never gets to act on such an error: after a
/// failed `accept` the server channel keeps its read pending, so NIO does not ask the pipeline to
/// read again and keeps the socket registered for readability, and the event loop retries
/// `accept` at once, for as long as the backlog is non-empty. Turning `autoRead` off is the one
/// thing a handler can do that makes the channel unregister; it is turned on again after the
/// back-off. Shared by every listener the runtime opens (the libp2p node, the status API).
///
/// ```swift
/// try channel.pipeline.syncOperations.addHandler(
///     AcceptPauseHandler(backoff: .seconds(1)) { error in logger.warning("accept failed: \(error)") },
///     position: .first)
/// ```
public final class AcceptPauseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = any Channel
    public typealias InboundOut = any Channel
    public typealias OutboundIn = Never

    private let backoff: TimeAmount
    private let onPause: (IOError) -> Void
    private var resume: Scheduled<Void>?

    /// Whether accepting is paused after a resource error.
    public var isPaused: Bool { resume != nil }

    /// - Parameters:
    ///   - backoff: how long accepting stays off after a resource error.
    ///   - onPause: called on the event loop each time a pause begins (for a log line).
    public init(backoff: TimeAmount, onPause: @escaping (IOError) -> Void = { _ in }) {
        self.backoff = backoff
        self.onPause = onPause
    }

    /// `accept` errors that mean "not now" rather than "never".
    public static func isResourceShortage(_ code: CInt) -> Bool {
        code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? IOError, Self.isResourceShortage(error.errnoCode) else {
            context.fireErrorCaught(error)
            return
        }
        // Also when already paused, in case something turned autoRead on meanwhile.
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false)
        guard resume == nil else { return }
        onPause(error)
        resume = context.eventLoop.assumeIsolated().scheduleTask(in: backoff) { [self] in
            resume = nil
            // Turning autoRead on asks the channel to read, which registers the socket again.
            try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
        }
    }

    /// While paused, reads are held back (turning `autoRead` on again reads anyway): a read
    /// reaching the channel would register the socket and restart the busy loop.
    public func read(context: ChannelHandlerContext) {
        guard !isPaused else { return }
        context.read()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        cancelResume()
        context.fireChannelInactive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        if isPaused {
            cancelResume()
            try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
        }
    }

    private func cancelResume() {
        resume?.cancel()
        resume = nil
    }
}
