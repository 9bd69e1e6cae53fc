import IPFS
import Libp2p
import Multiformats
import Synchronization

/// The serving half of Bitswap: remembers what each peer wants (bounded per peer), answers from
/// the block store on a stream it opens to that peer, and drops wants the peer cancels before
/// they were answered.
///
/// Wants for blocks we do not have are answered with DONT_HAVE when the peer asked for it and
/// otherwise forgotten (we do not wait for the block to arrive later).
final class BitswapServer: Sendable {
    private struct PendingWant: Sendable {
        var cid: CID
        var type: BitswapMessage.WantType
        var sendDontHave: Bool
    }

    private struct PeerQueue {
        var order: [[UInt8]] = []
        var wants: [[UInt8]: PendingWant] = [:]
        var draining = false
    }

    private let store: BlockStore
    private let senders: BitswapSenders
    private let configuration: BitswapConfiguration
    private let statistics: BitswapCounters
    private let queues = Mutex<[PeerID: PeerQueue]>([:])

    init(store: BlockStore, senders: BitswapSenders, configuration: BitswapConfiguration, statistics: BitswapCounters) {
        self.store = store
        self.senders = senders
        self.configuration = configuration
        self.statistics = statistics
    }

    /// Applies a peer's wantlist update and starts answering it if nothing is running yet.
    func receive(_ entries: [BitswapMessage.Entry], full: Bool, from peer: PeerID) {
        guard !entries.isEmpty || full else { return }
        let (start, dropped) = queues.withLock { queues -> (Bool, Int) in
            var queue = queues[peer] ?? PeerQueue()
            if full {
                queue.order.removeAll()
                queue.wants.removeAll()
            }
            var dropped = 0
            for entry in entries {
                let key = entry.cid.bytes
                if entry.cancel {
                    queue.wants[key] = nil
                    continue
                }
                if queue.wants[key] == nil {
                    guard queue.wants.count < configuration.maxWantsPerPeer else {
                        dropped += 1
                        continue
                    }
                    queue.order.append(key)
                }
                queue.wants[key] = PendingWant(cid: entry.cid, type: entry.wantType, sendDontHave: entry.sendDontHave)
            }
            let start = !queue.draining && !queue.wants.isEmpty
            if start { queue.draining = true }
            queues[peer] = queue
            return (start, dropped)
        }
        if dropped > 0 { statistics.update { $0.droppedWants += dropped } }
        if start {
            Task { await drain(peer) }
        }
    }

    /// Forgets everything about a peer.
    func forget(_ peer: PeerID) {
        queues.withLock { $0[peer] = nil }
    }

    /// Answers `peer`'s wants until its queue is empty, one message of about
    /// `responseBatchBytes` at a time.
    private func drain(_ peer: PeerID) async {
        while let batch = nextBatch(for: peer) {
            var message = BitswapMessage()
            var size = 0
            for want in batch {
                let block: Block?
                // A block that rotted on disk is deleted by `get` and answered as missing.
                block = try? store.get(want.cid)
                switch (block, want.type) {
                case (let block?, .block) where block.data.count <= configuration.maxBlockSize:
                    if size > 0, size + block.data.count > configuration.responseBatchBytes {
                        await send(message, to: peer)
                        message = BitswapMessage()
                        size = 0
                    }
                    message.payloads.append(.init(prefix: CIDPrefix(of: want.cid), data: block.data))
                    size += block.data.count
                case (.some, .have):
                    message.presences.append(.init(cid: want.cid, type: .have))
                default:
                    if want.sendDontHave { message.presences.append(.init(cid: want.cid, type: .dontHave)) }
                }
            }
            await send(message, to: peer)
        }
    }

    /// Takes up to 64 wants off the peer's queue (still-cancellable wants stay queued); nil when
    /// the queue is empty, which also ends the drain.
    private func nextBatch(for peer: PeerID) -> [PendingWant]? {
        queues.withLock { queues -> [PendingWant]? in
            guard var queue = queues[peer] else { return nil }
            var batch: [PendingWant] = []
            var taken = 0
            for key in queue.order {
                taken += 1
                if let want = queue.wants.removeValue(forKey: key) {
                    batch.append(want)
                    if batch.count == 64 { break }
                }
            }
            queue.order.removeFirst(taken)
            if batch.isEmpty {
                queue.draining = false
                queue.order.removeAll()
                queues[peer] = queue.wants.isEmpty ? nil : queue
                return nil
            }
            queues[peer] = queue
            return batch
        }
    }

    private func send(_ message: BitswapMessage, to peer: PeerID) async {
        guard !message.isEmpty else { return }
        do {
            try await senders.send(message, to: peer)
            statistics.update { stats in
                stats.blocksSent += message.payloads.count
                stats.bytesSent += message.payloads.reduce(0) { $0 + $1.data.count }
                stats.presencesSent += message.presences.count
            }
        } catch {
            statistics.update { $0.failedSends += 1 }
        }
    }
}
