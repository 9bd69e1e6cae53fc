import Foundation
import Libp2p

/// A protocol a module handles: inbound streams wait in a bounded queue until accepted.
public final class P2PListenerResource: StationResource, @unchecked Sendable {
    public let kind = "p2p listener"
    /// The protocol id.
    public let protocolID: String
    /// Inbound streams waiting to be accepted; more than this are reset.
    public let backlog: Int
    private let hub: ReadinessHub
    private let lock = NSLock()
    private var queue: [Libp2pStream] = []
    private var closed = false
    private let onClose: @Sendable () -> Void

    init(protocolID: String, hub: ReadinessHub, backlog: Int = 64, onClose: @escaping @Sendable () -> Void) {
        self.protocolID = protocolID
        self.hub = hub
        self.backlog = backlog
        self.onClose = onClose
    }

    /// Called by the node for each inbound stream on the protocol.
    func enqueue(_ stream: Libp2pStream) {
        let accepted = lock.withLock {
            guard !closed, queue.count < backlog else { return false }
            queue.append(stream)
            return true
        }
        if accepted { hub.signal() } else { stream.reset() }
    }

    /// The next inbound stream, or `would-block`.
    func accept() throws(StationError) -> Libp2pStream {
        guard let stream = lock.withLock({ queue.isEmpty ? nil : queue.removeFirst() }) else { throw .wouldBlock }
        return stream
    }

    public var isReady: Bool { lock.withLock { !queue.isEmpty } }

    public func close() {
        let waiting = lock.withLock {
            closed = true
            defer { queue = [] }
            return queue
        }
        onClose()
        for stream in waiting { stream.reset() }
    }
}
