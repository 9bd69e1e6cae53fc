import IPFS
import Libp2p
import Multiformats
import Synchronization

/// What a fetch session hears from the network.
enum FetchEvent: Sendable {
    /// A wanted block arrived (already verified against the wanted CID).
    case block(Block, from: PeerID)
    /// A peer answered HAVE.
    case have(CID, from: PeerID)
    /// A peer answered DONT_HAVE.
    case dontHave(CID, from: PeerID)
    /// A peer of the session sent a block nobody wanted (its multihash, nil when it did not hash).
    case unwanted(multihash: [UInt8]?, from: PeerID)
    /// Periodic wake-up to check the timeouts.
    case tick
    /// A peer joined the session while it ran (``BitswapPeerFeed``).
    case joined(PeerID)
}

/// A session's request for the wire, before it is shared with other sessions.
enum SessionRequest: Sendable, Equatable {
    case wantBlock(CID, priority: Int32)
    case wantHave(CID, priority: Int32)
    case cancel(CID)
}

/// The client side's open wants: which fetch session waits for which block, and which wants are
/// on the wire to which peer.
///
/// Blocks are matched by multihash (the digest the bytes hashed to), then re-checked against the
/// exact CID the session asked for. A block nobody waits for is reported as unwanted and dropped,
/// so memory holds at most the wanted blocks.
///
/// Sessions share the wire: a want for a block some session already has outstanding at a peer is
/// not sent again (a want-block upgrades an outstanding want-have), and a cancel goes out only
/// when the last session holding that want at that peer withdraws it. A block, HAVE or DONT_HAVE
/// reaches every session waiting for the block. A block that was delivered but not yet stored by
/// its sessions is handed straight to a session that starts wanting it meanwhile.
final class WantRegistry: Sendable {
    private struct WireWant {
        var cid: CID
        var type: BitswapMessage.WantType
        var holders: Set<UInt64>
    }

    private struct Recent {
        var data: [UInt8]
        var from: PeerID
        var pending: Set<UInt64>
    }

    private struct State {
        var wants: [[UInt8]: [UInt64: CID]] = [:]
        var sessions: [UInt64: AsyncStream<FetchEvent>.Continuation] = [:]
        var sessionPeers: [UInt64: Set<PeerID>] = [:]
        var wire: [PeerID: [[UInt8]: WireWant]] = [:]
        var recent: [[UInt8]: Recent] = [:]
        var nextSession: UInt64 = 1
    }

    private let state = Mutex(State())

    /// Opens a session asking `peers`; its events arrive on the returned stream.
    func openSession(peers: [PeerID] = []) -> (id: UInt64, events: AsyncStream<FetchEvent>) {
        let (stream, continuation) = AsyncStream<FetchEvent>.makeStream()
        let id = state.withLock { state -> UInt64 in
            let id = state.nextSession
            state.nextSession += 1
            state.sessions[id] = continuation
            state.sessionPeers[id] = Set(peers)
            return id
        }
        return (id, stream)
    }

    /// Adds `peer` to a running session (its events then include the peer's unwanted blocks) and
    /// tells the session; false when the session is closed.
    func join(_ peer: PeerID, session id: UInt64) -> Bool {
        let continuation = state.withLock { state -> AsyncStream<FetchEvent>.Continuation? in
            guard let continuation = state.sessions[id] else { return nil }
            state.sessionPeers[id, default: []].insert(peer)
            return continuation
        }
        guard let continuation else { return false }
        continuation.yield(.joined(peer))
        return true
    }

    /// Closes a session and forgets its wants; returns the cancels to send (wants on the wire
    /// that no other session holds any more).
    func closeSession(_ id: UInt64) -> [(peer: PeerID, cids: [CID])] {
        let (continuation, cancels) = state.withLock { state -> (AsyncStream<FetchEvent>.Continuation?, [(PeerID, [CID])]) in
            for key in Array(state.wants.keys) {
                state.wants[key]?[id] = nil
                if state.wants[key]?.isEmpty == true { state.wants[key] = nil }
            }
            for key in Array(state.recent.keys) {
                state.recent[key]?.pending.remove(id)
                if state.recent[key]?.pending.isEmpty == true { state.recent[key] = nil }
            }
            var cancels: [(PeerID, [CID])] = []
            for peer in Array(state.wire.keys) {
                var cids: [CID] = []
                for (key, want) in state.wire[peer]! where want.holders.contains(id) {
                    state.wire[peer]![key]!.holders.remove(id)
                    if state.wire[peer]![key]!.holders.isEmpty {
                        state.wire[peer]![key] = nil
                        cids.append(want.cid)
                    }
                }
                if state.wire[peer]!.isEmpty { state.wire[peer] = nil }
                if !cids.isEmpty { cancels.append((peer, cids)) }
            }
            state.sessionPeers[id] = nil
            return (state.sessions.removeValue(forKey: id), cancels)
        }
        continuation?.finish()
        return cancels.map { (peer: $0.0, cids: $0.1) }
    }

    /// Records that session `id` wants `cid`. Returns true when the block was just delivered for
    /// another session and is being handed to this one too (its event is already queued): the
    /// caller sends no want for it.
    @discardableResult
    func want(_ cid: CID, session id: UInt64) -> Bool {
        let key = cid.multihash.bytes
        let handed = state.withLock { state -> (AsyncStream<FetchEvent>.Continuation, Recent)? in
            if var recent = state.recent[key], let continuation = state.sessions[id] {
                recent.pending.insert(id)
                state.recent[key] = recent
                return (continuation, recent)
            }
            state.wants[key, default: [:]][id] = cid
            return nil
        }
        guard let (continuation, recent) = handed, let block = try? Block(cid: cid, data: recent.data) else { return false }
        continuation.yield(.block(block, from: recent.from))
        return true
    }

    /// Withdraws session `id`'s want for `cid`.
    func unwant(_ cid: CID, session id: UInt64) {
        let key = cid.multihash.bytes
        state.withLock { state in
            state.wants[key]?[id] = nil
            if state.wants[key]?.isEmpty == true { state.wants[key] = nil }
        }
    }

    /// Session `id` has stored (or given up on) a delivered block: it need not be kept for
    /// sessions that start wanting it any more.
    func handled(_ cid: CID, session id: UInt64) {
        let key = cid.multihash.bytes
        state.withLock { state in
            state.recent[key]?.pending.remove(id)
            if state.recent[key]?.pending.isEmpty == true { state.recent[key] = nil }
        }
    }

    /// Turns a session's requests into wire entries per peer: wants some session already has
    /// outstanding at that peer are left out (a want-block over a want-have is sent, as an
    /// upgrade), cancels are sent only by the last holder.
    func share(_ requests: [(peer: PeerID, requests: [SessionRequest])], session id: UInt64) -> [(peer: PeerID, entries: [BitswapMessage.Entry])] {
        state.withLock { state in
            var result: [(peer: PeerID, entries: [BitswapMessage.Entry])] = []
            for (peer, list) in requests {
                var entries: [BitswapMessage.Entry] = []
                var wire = state.wire[peer] ?? [:]
                for request in list {
                    switch request {
                    case .wantBlock(let cid, let priority), .wantHave(let cid, let priority):
                        let type: BitswapMessage.WantType = if case .wantBlock = request { .block } else { .have }
                        let key = cid.multihash.bytes
                        if var existing = wire[key] {
                            existing.holders.insert(id)
                            if type == .block, existing.type == .have {
                                existing.type = .block
                                entries.append(.init(cid: cid, priority: priority, wantType: .block, sendDontHave: true))
                            }
                            wire[key] = existing
                        } else {
                            wire[key] = WireWant(cid: cid, type: type, holders: [id])
                            entries.append(.init(cid: cid, priority: priority, wantType: type, sendDontHave: true))
                        }
                    case .cancel(let cid):
                        let key = cid.multihash.bytes
                        guard var existing = wire[key], existing.holders.remove(id) != nil else { continue }
                        if existing.holders.isEmpty {
                            wire[key] = nil
                            entries.append(.init(cid: cid, cancel: true))
                        } else {
                            wire[key] = existing
                        }
                    }
                }
                state.wire[peer] = wire.isEmpty ? nil : wire
                if !entries.isEmpty { result.append((peer, entries)) }
            }
            return result
        }
    }

    /// Forgets what is on the wire to `peer` for session `id` (the peer could not be reached).
    func forgetWire(to peer: PeerID, session id: UInt64) {
        state.withLock { state in
            guard var wire = state.wire[peer] else { return }
            for key in Array(wire.keys) {
                wire[key]!.holders.remove(id)
                if wire[key]!.holders.isEmpty { wire[key] = nil }
            }
            state.wire[peer] = wire.isEmpty ? nil : wire
        }
    }

    /// Delivers a received block to every session waiting for it; false when nobody wanted it.
    /// The want is satisfied (removed) by the delivery; the sender's want is answered.
    func deliver(_ cid: CID, data: [UInt8], from peer: PeerID) -> Bool {
        let key = cid.multihash.bytes
        let targets = state.withLock { state -> [(AsyncStream<FetchEvent>.Continuation, CID)] in
            guard let waiting = state.wants.removeValue(forKey: key) else { return [] }
            state.wire[peer]?[key] = nil
            let targets = waiting.compactMap { id, wanted in state.sessions[id].map { (id, $0, wanted) } }
            if !targets.isEmpty { state.recent[key] = Recent(data: data, from: peer, pending: Set(targets.map(\.0))) }
            return targets.map { ($0.1, $0.2) }
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

    /// Tells every session waiting for `cid` that `peer` has it (or not). The peer's want for it
    /// is answered: a DONT_HAVE ends any want, a HAVE ends a want-have.
    func presence(_ cid: CID, _ type: BitswapMessage.PresenceType, from peer: PeerID) {
        let key = cid.multihash.bytes
        let targets = state.withLock { state -> [AsyncStream<FetchEvent>.Continuation] in
            if type == .dontHave || state.wire[peer]?[key]?.type == .have { state.wire[peer]?[key] = nil }
            if state.wire[peer]?.isEmpty == true { state.wire[peer] = nil }
            return (state.wants[key] ?? [:]).keys.compactMap { state.sessions[$0] }
        }
        for continuation in targets { continuation.yield(type == .have ? .have(cid, from: peer) : .dontHave(cid, from: peer)) }
    }

    /// Tells the sessions that ask `peer` that it sent a block nobody wanted.
    func unwanted(multihash: [UInt8]?, from peer: PeerID) {
        let targets = state.withLock { state in
            state.sessionPeers.compactMap { id, peers in peers.contains(peer) ? state.sessions[id] : nil }
        }
        for continuation in targets { continuation.yield(.unwanted(multihash: multihash, from: peer)) }
    }

    /// Wakes session `id` (timeout checks).
    func tick(session id: UInt64) {
        state.withLock { $0.sessions[id] }?.yield(.tick)
    }

    /// Sessions waiting for a block (for tests).
    func sessionsWaiting(for cid: CID) -> Int {
        state.withLock { $0.wants[cid.multihash.bytes]?.count ?? 0 }
    }

    /// Wire wants outstanding (for tests).
    var wireWants: Int { state.withLock { $0.wire.values.reduce(0) { $0 + $1.count } } }
}
