import Foundation
import Libp2p
import Synchronization

/// A protocol a module handles: inbound streams wait in a bounded queue until accepted.
public final class P2PListenerResource: StationResource {
    public let kind = "p2p listener"
    /// The protocol id.
    public let protocolID: String
    /// Inbound streams waiting to be accepted; more than this are reset.
    public let backlog: Int
    private let hub: ReadinessHub
    private let state = Mutex<(queue: [Libp2pStream], closed: Bool)>(([], false))
    private let onClose: @Sendable () -> Void

    init(protocolID: String, hub: ReadinessHub, backlog: Int = 64, onClose: @escaping @Sendable () -> Void) {
        self.protocolID = protocolID
        self.hub = hub
        self.backlog = backlog
        self.onClose = onClose
    }

    /// Called by the node for each inbound stream on the protocol.
    func enqueue(_ stream: Libp2pStream) {
        let accepted = state.withLock { state in
            guard !state.closed, state.queue.count < backlog else { return false }
            state.queue.append(stream)
            return true
        }
        if accepted { hub.signal() } else { stream.reset() }
    }

    /// The next inbound stream, or `would-block`.
    func accept() throws(StationError) -> Libp2pStream {
        guard let stream = state.withLock({ $0.queue.isEmpty ? nil : $0.queue.removeFirst() }) else { throw .wouldBlock }
        return stream
    }

    public var isReady: Bool { state.withLock { !$0.queue.isEmpty } }

    public func close() {
        let waiting = state.withLock { state in
            state.closed = true
            defer { state.queue = [] }
            return state.queue
        }
        onClose()
        for stream in waiting { stream.reset() }
    }
}
