import IPFS
import Libp2p
import Multiformats
import Synchronization

/// What a fetch session hears from the network.
enum FetchEvent: Sendable {
    /// A wanted block arrived (already verified against the wanted CID).
    case block(Block, from: PeerID)
    /// A peer answered DONT_HAVE.
    case dontHave(CID, from: PeerID)
    /// Periodic wake-up to check the timeout.
    case tick
}

/// The client side's open wants: which fetch session waits for which block.
///
/// Blocks are matched by multihash (the digest the bytes hashed to), then re-checked against the
/// exact CID the session asked for. A block nobody waits for is reported as unwanted and dropped,
/// so memory holds at most the wanted blocks.
final class WantRegistry: Sendable {
    private struct State {
        var wants: [[UInt8]: [UInt64: CID]] = [:]
        var sessions: [UInt64: AsyncStream<FetchEvent>.Continuation] = [:]
        var nextSession: UInt64 = 1
    }

    private let state = Mutex(State())

    /// Opens a session; its events arrive on the returned stream.
    func openSession() -> (id: UInt64, events: AsyncStream<FetchEvent>) {
        let (stream, continuation) = AsyncStream<FetchEvent>.makeStream()
        let id = state.withLock { state -> UInt64 in
            let id = state.nextSession
            state.nextSession += 1
            state.sessions[id] = continuation
            return id
        }
        return (id, stream)
    }

    /// Closes a session and forgets its wants.
    func closeSession(_ id: UInt64) {
        let continuation = state.withLock { state -> AsyncStream<FetchEvent>.Continuation? in
            for key in Array(state.wants.keys) {
                state.wants[key]?[id] = nil
                if state.wants[key]?.isEmpty == true { state.wants[key] = nil }
            }
            return state.sessions.removeValue(forKey: id)
        }
        continuation?.finish()
    }

    /// Records that session `id` wants `cid`.
    func want(_ cid: CID, session id: UInt64) {
        state.withLock { $0.wants[cid.multihash.bytes, default: [:]][id] = cid }
    }

    /// Withdraws session `id`'s want for `cid`.
    func unwant(_ cid: CID, session id: UInt64) {
        let key = cid.multihash.bytes
        state.withLock { state in
            state.wants[key]?[id] = nil
            if state.wants[key]?.isEmpty == true { state.wants[key] = nil }
        }
    }

    /// Delivers a received block to every session waiting for it; false when nobody wanted it.
    /// The want is satisfied (removed) by the delivery.
    func deliver(_ cid: CID, data: [UInt8], from peer: PeerID) -> Bool {
        let key = cid.multihash.bytes
        let targets = state.withLock { state -> [(AsyncStream<FetchEvent>.Continuation, CID)] in
            guard let waiting = state.wants.removeValue(forKey: key) else { return [] }
            return waiting.compactMap { id, wanted in state.sessions[id].map { ($0, wanted) } }
        }
        var delivered = false
        for (continuation, wanted) in targets {
            // Same multihash, so this only fails for an unverifiable hash function.
            guard let block = try? Block(cid: wanted, data: data) else { continue }
            continuation.yield(.block(block, from: peer))
            delivered = true
        }
        return delivered
    }

    /// Tells every session waiting for `cid` that `peer` does not have it.
    func dontHave(_ cid: CID, from peer: PeerID) {
        let key = cid.multihash.bytes
        let targets = state.withLock { state -> [AsyncStream<FetchEvent>.Continuation] in
            (state.wants[key] ?? [:]).keys.compactMap { state.sessions[$0] }
        }
        for continuation in targets { continuation.yield(.dontHave(cid, from: peer)) }
    }

    /// Wakes session `id` (timeout checks).
    func tick(session id: UInt64) {
        state.withLock { $0.sessions[id] }?.yield(.tick)
    }
}
