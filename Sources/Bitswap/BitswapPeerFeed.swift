import Libp2p
import Synchronization

/// Peers found while a fetch runs, handed to it so that they join its session instead of starting
/// another one: one session splits the wants across every provider, where a session per provider
/// would have each of them send the whole DAG.
///
/// Give the feed to `Bitswap.fetchDAG(root:from:module:feed:)`, then ``add(_:)`` peers (connected,
/// or known to the host's peer store) whenever they are found, before or during the fetch. Once
/// the fetch has ended, ``add(_:)`` returns false: the caller fetches from the peer some other way.
public final class BitswapPeerFeed: Sendable {
    private struct State {
        var registry: WantRegistry?
        var session: UInt64?
        var ended = false
        var queued: [PeerID] = []
    }

    private let state = Mutex(State())

    /// An empty feed, not yet used by a fetch.
    public init() {}

    /// True once the fetch that used the feed has ended.
    public var isEnded: Bool { state.withLock { $0.ended } }

    /// Adds `peer` to the fetch (queued until the fetch starts); false when the fetch has ended.
    @discardableResult
    public func add(_ peer: PeerID) -> Bool {
        enum Outcome { case refused, queued, join(WantRegistry, UInt64) }
        let outcome = state.withLock { state -> Outcome in
            if state.ended { return .refused }
            guard let registry = state.registry, let session = state.session else {
                state.queued.append(peer)
                return .queued
            }
            return .join(registry, session)
        }
        switch outcome {
        case .refused: return false
        case .queued: return true
        case .join(let registry, let session): return registry.join(peer, session: session)
        }
    }

    /// The fetch opened `session`: queued peers join it now.
    func attach(_ registry: WantRegistry, session: UInt64) {
        let queued = state.withLock { state -> [PeerID] in
            state.registry = registry
            state.session = session
            defer { state.queued = [] }
            return state.queued
        }
        for peer in queued { _ = registry.join(peer, session: session) }
    }

    /// The fetch ended (the fetch calls this itself; a caller whose fetch never started calls
    /// it too): later peers are refused.
    public func end() {
        state.withLock { state in
            state.ended = true
            state.registry = nil
            state.session = nil
            state.queued = []
        }
    }
}
