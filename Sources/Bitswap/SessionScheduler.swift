/// The decisions of one Bitswap fetch session: which peer is asked for which block, who is only
/// asked whether it has a block, when a want moves to another peer, which peers are penalised or
/// dropped, and where cancels go. Pure and synchronous (time is passed in as seconds), so it is
/// tested with tables; `Bitswap.fetch` feeds it network events and sends what it decides.
///
/// Rules:
/// - **Session size.** The first `maxPeers` peers given (in order) take part; the others are
///   reserves, used in the order given when a session peer is dropped. A peer added while the
///   session runs (`addPeer`) comes after them: it takes part at once if the session has room,
///   and is asked whether it has every open want.
/// - **Discovery.** While no peer has shown it holds anything (no HAVE, no block) and there is more
///   than one peer, a new want is a want-have (with send-dont-have) to every session peer; the
///   first HAVE gets the want-block. With a single peer the want-block goes out at once.
/// - **Split.** Once peers are known to hold blocks, each want-block goes to exactly one peer: one
///   that said HAVE for this block if any, else the least loaded active peer (load = want-blocks
///   outstanding + `strikePenalty` × strikes; ties to the earlier peer, so equal peers take turns),
///   and every other session peer gets a want-have, so alternatives are known before they are needed
///   (except idle peers: never had a block and refused `idleAfter`; they are asked only when
///   nobody else might have one).
/// - **Blind limit.** A guess (no HAVE for the block yet) gives a peer at most `blindLimit`
///   outstanding want-blocks while other session peers may still answer: the rest wait for their
///   HAVEs. Otherwise the first window after the root, when only the root's sender has shown a
///   block, would all go to it. (Moving wants later would not do: a peer may already have sent
///   what it was asked for, and the block would come twice.) A HAVE from a peer for a want-block
///   held by a peer that has never delivered anything moves it there (a cancel to the holder).
/// - **Re-requests.** DONT_HAVE from the asked peer moves the want to a peer that said HAVE; if
///   none has but some have not answered yet, the want waits for their answers; if nobody is left
///   who might have it, the reserves not yet asked get a want-have for it (up to `maxPeers` at a
///   time; one that says HAVE gets the want-block), and only when they refuse too does the fetch
///   fail `notFound`. A peer that delivered nothing for
///   `wantTimeout` while holding the want is slow: it gets a strike and the want is also asked of
///   another peer (the first want-block stays live: whichever copy comes first wins). A want
///   waiting for answers longer than `wantTimeout` is asked blindly of a peer that has not refused.
/// - **Penalties.** A strike for: a block that is not one this session ever wanted (garbage, or
///   bytes that do not hash to the CID they came under), DONT_HAVE after HAVE for the same block,
///   a want timed out that could move to another peer. At `maxStrikes` a peer is dropped (its wants cancelled and moved), unless it
///   is the last peer the session has.
/// - **Cancels.** When a block arrives, every other peer holding a want for it from this session
///   gets a cancel; `finish()` cancels everything still live.
///
/// Worked example (peers A, B, C; `maxPeers` 2, so C is a reserve; `wantTimeout` 5 s; blocks r, x, y;
/// everything at time 0 unless said):
/// ```
/// add(r)            → A: want-have r,  B: want-have r          (discovery)
/// dontHave(r, A)    → (wait: B has not answered)
/// have(r, B)        → B: want-block r                          (B is active)
/// received(r, B)    → (no cancel: A answered, B sent it)
/// add(x), add(y)    → B: want-block x, A: want-have x;  B: want-block y, A: want-have y
///                      (A has shown no block yet, so B, the only active peer, takes both)
/// have(y, A)        → (noted: A is now active)
/// dontHave(y, B)    → A: want-block y                          (A said HAVE)
/// tick(5)           → x timed out at B: strike B, A: want-block x  (y, at A, has nobody else to go to)
/// received(x, A)    → B: cancel x
/// ```
struct SessionScheduler<Peer: Hashable, Want: Hashable> {
    /// Tuning of a session.
    struct Configuration: Equatable {
        /// Peers taking part at once; the rest wait as reserves.
        var maxPeers = 16
        /// Seconds a peer may hold a want without delivering anything before another is asked.
        var wantTimeout = 4.0
        /// Strikes after which a peer is dropped from the session.
        var maxStrikes = 3
        /// How many outstanding want-blocks one strike weighs when choosing a peer.
        var strikePenalty = 4
        /// DONT_HAVE answers after which a peer that never had a block is idle: new blocks are
        /// no longer announced to it with want-have (it is still asked when nobody else has one).
        var idleAfter = 8
        /// Outstanding want-blocks a guess may give one peer while others may still answer HAVE.
        var blindLimit = 16
    }

    /// What to send to one peer.
    enum Action: Hashable {
        case wantBlock(Want)
        case wantHave(Want)
        case cancel(Want)
    }

    /// Why the session cannot go on.
    enum Failure: Equatable {
        /// Every peer still in the session answered DONT_HAVE for the block.
        case notFound(Want, peers: Int)
        /// No peer is left (all unreachable).
        case noPeers
    }

    private struct PeerState {
        let peer: Peer
        var active = false
        var refusals = 0
        var outstanding = 0
        var strikes = 0
        var dropped = false
        var lastProgress: Double
    }

    private struct WantState {
        let order: Int
        /// The peer the block is currently expected from (nil: waiting for HAVE answers).
        var blockPeer: Int?
        /// When `blockPeer` was asked, or the wait began.
        var since: Double
        var blockAsked: Set<Int> = []
        var tried: Set<Int> = []
        var live: Set<Int> = []
        var haves: Set<Int> = []
        var dontHaves: Set<Int> = []
        /// Reserves asked about this want because every session peer refused it.
        var reserves: Set<Int> = []
    }

    let configuration: Configuration
    private var peers: [PeerState]
    private var index: [Peer: Int] = [:]
    private var wants: [Want: WantState] = [:]
    private var counter = 0
    private var pending: [Int: [Action]] = [:]
    /// Set when the session cannot complete; the caller stops.
    private(set) var failure: Failure?
    /// Strikes given so far.
    private(set) var totalStrikes = 0
    /// Peers dropped for strikes (not for being unreachable).
    private(set) var penalisedPeers = 0

    /// A session over `peers` (duplicates ignored) starting at time `now`.
    init(peers: [Peer], configuration: Configuration = Configuration(), now: Double = 0) {
        self.configuration = configuration
        var unique: [PeerState] = []
        for peer in peers where index[peer] == nil {
            index[peer] = unique.count
            unique.append(PeerState(peer: peer, lastProgress: now))
        }
        self.peers = unique
        if unique.isEmpty { failure = .noPeers }
    }

    // MARK: Queries

    /// The peers currently taking part, in order.
    var sessionPeers: [Peer] { usable.map { peers[$0].peer } }

    /// Strikes a peer has collected.
    func strikes(of peer: Peer) -> Int { index[peer].map { peers[$0].strikes } ?? 0 }

    /// True when the peer was dropped from the session.
    func isDropped(_ peer: Peer) -> Bool { index[peer].map { peers[$0].dropped } ?? false }

    /// Want-blocks outstanding at a peer.
    func outstanding(at peer: Peer) -> Int { index[peer].map { peers[$0].outstanding } ?? 0 }

    /// True while the want is open.
    func isWanted(_ want: Want) -> Bool { wants[want] != nil }

    /// The actions decided since the last call, per peer in session order; clears them.
    mutating func takeActions() -> [(peer: Peer, actions: [Action])] {
        let result = pending.keys.sorted().map { (peer: peers[$0].peer, actions: pending[$0]!) }
        pending.removeAll()
        return result
    }

    // MARK: Events

    /// A new block to fetch (ignored if already open).
    mutating func add(_ want: Want, now: Double) {
        guard wants[want] == nil, failure == nil else { return }
        var state = WantState(order: counter, since: now)
        counter += 1
        let session = usable
        let discovering = session.count > 1 && !session.contains { peers[$0].active }
        if discovering {
            for peer in session { send(.wantHave(want), to: peer, state: &state) }
        } else {
            assign(want, &state, now: now, blind: true, limited: true)
            for peer in session where peer != state.blockPeer && !isIdle(peer) { send(.wantHave(want), to: peer, state: &state) }
        }
        wants[want] = state
    }

    /// A peer found while the session runs (ignored if it is already known). With room in the
    /// session it gets a want-have for every open want; HAVE answers then give it want-blocks
    /// (wants waiting for a HAVE, and wants held by a peer that never delivered anything).
    mutating func addPeer(_ peer: Peer, now: Double) {
        guard index[peer] == nil else { return }
        let newcomer = peers.count
        index[peer] = newcomer
        peers.append(PeerState(peer: peer, lastProgress: now))
        guard usable.contains(newcomer) else { return }
        for want in wantsInOrder {
            var state = wants[want]!
            send(.wantHave(want), to: newcomer, state: &state)
            wants[want] = state
        }
    }

    /// The block arrived from `peer` (verified). Cancels go to the other peers holding the want.
    mutating func received(_ want: Want, from peer: Peer, now: Double) {
        let sender = index[peer]
        if let sender {
            peers[sender].active = true
            peers[sender].lastProgress = now
        }
        guard let state = wants.removeValue(forKey: want) else { return }
        for asked in state.blockAsked { peers[asked].outstanding -= 1 }
        for other in state.live.sorted() where other != sender && !peers[other].dropped {
            queue(.cancel(want), to: other)
        }
    }

    /// `peer` said HAVE.
    mutating func have(_ want: Want, from peer: Peer, now: Double) {
        guard let peerIndex = index[peer], !peers[peerIndex].dropped else { return }
        peers[peerIndex].active = true
        guard var state = wants[want] else { return }
        state.haves.insert(peerIndex)
        if !state.blockAsked.contains(peerIndex) { state.live.remove(peerIndex) }
        if state.blockPeer == nil {
            assign(want, &state, now: now, blind: false)
        } else if let holder = state.blockPeer, holder != peerIndex, !peers[holder].active {
            // Taken away, not failed: the holder may be chosen again later.
            state.blockAsked.remove(holder)
            peers[holder].outstanding -= 1
            state.tried.remove(holder)
            state.live.remove(holder)
            queue(.cancel(want), to: holder)
            askForBlock(want, of: peerIndex, &state, now: now)
        }
        wants[want] = state
    }

    /// `peer` said DONT_HAVE.
    mutating func dontHave(_ want: Want, from peer: Peer, now: Double) {
        guard let peerIndex = index[peer], var state = wants[want], !peers[peerIndex].dropped else { return }
        let lied = state.haves.remove(peerIndex) != nil
        if state.dontHaves.insert(peerIndex).inserted { peers[peerIndex].refusals += 1 }
        state.live.remove(peerIndex)
        if state.blockAsked.remove(peerIndex) != nil { peers[peerIndex].outstanding -= 1 }
        if state.blockPeer == peerIndex {
            state.blockPeer = nil
            state.since = now
        }
        if state.blockPeer == nil { assign(want, &state, now: now, blind: false) }
        wants[want] = state
        if lied { strike(peerIndex, now: now) }
    }

    /// `peer` sent a block this session never wanted (or bytes that hash to nothing it wanted);
    /// the caller tells a late duplicate of a wanted block, which is no offence, from garbage.
    mutating func garbage(from peer: Peer, now: Double) {
        guard let peerIndex = index[peer], !peers[peerIndex].dropped else { return }
        strike(peerIndex, now: now)
    }

    /// A message to `peer` could not be sent: it leaves the session, its wants move.
    mutating func unreachable(_ peer: Peer, now: Double) {
        guard let peerIndex = index[peer], !peers[peerIndex].dropped else { return }
        pending[peerIndex] = nil
        drop(peerIndex, now: now, cancel: false)
        if usable.isEmpty { failure = .noPeers }
    }

    /// Checks the per-want timeouts.
    mutating func tick(now: Double) {
        for want in wantsInOrder {
            guard var state = wants[want] else { continue }
            if let asked = state.blockPeer {
                let quietSince = max(state.since, peers[asked].lastProgress)
                guard now - quietSince >= configuration.wantTimeout else { continue }
                state.blockPeer = nil
                assign(want, &state, now: now, blind: true)
                if state.blockPeer == nil {
                    // Nobody else to ask: keep waiting on the same peer.
                    state.blockPeer = asked
                    state.since = now
                    wants[want] = state
                    continue
                }
                wants[want] = state
                strike(asked, now: now)
            } else if now - state.since >= configuration.wantTimeout {
                assign(want, &state, now: now, blind: true)
                if state.blockPeer == nil { state.since = now }
                wants[want] = state
            }
        }
    }

    /// Ends the session: cancels for every want still live, per peer.
    mutating func finish() -> [(peer: Peer, actions: [Action])] {
        for want in wantsInOrder {
            for peer in wants[want]!.live.sorted() where !peers[peer].dropped { queue(.cancel(want), to: peer) }
            for asked in wants[want]!.blockAsked { peers[asked].outstanding -= 1 }
        }
        wants.removeAll()
        return takeActions()
    }

    // MARK: Decisions

    /// The open wants, oldest first.
    private var wantsInOrder: [Want] { wants.keys.sorted { wants[$0]!.order < wants[$1]!.order } }

    /// Makes `peer` the one the want's block is expected from, and sends it the want-block.
    private mutating func askForBlock(_ want: Want, of peer: Int, _ state: inout WantState, now: Double) {
        state.blockPeer = peer
        state.since = now
        state.tried.insert(peer)
        if state.blockAsked.insert(peer).inserted { peers[peer].outstanding += 1 }
        send(.wantBlock(want), to: peer, state: &state)
    }

    /// Session peers: the first `maxPeers` that were not dropped.
    private var usable: [Int] {
        var result: [Int] = []
        for (position, state) in peers.enumerated() where !state.dropped {
            result.append(position)
            if result.count == configuration.maxPeers { break }
        }
        return result
    }

    /// A peer that never had anything and refused `idleAfter` blocks.
    private func isIdle(_ peer: Int) -> Bool {
        !peers[peer].active && peers[peer].refusals >= configuration.idleAfter
    }

    private func load(_ peer: Int) -> Int {
        peers[peer].outstanding + configuration.strikePenalty * peers[peer].strikes
    }

    private func leastLoaded(_ candidates: [Int]) -> Int? {
        candidates.min { (load($0), $0) < (load($1), $1) }
    }

    /// Picks the peer for a want whose `blockPeer` is nil: one that said HAVE; else (when `blind`
    /// or nobody is still to answer) an active peer, then any peer that has not refused. Leaves
    /// `blockPeer` nil to wait; records `notFound` when every session peer refused.
    /// With `limited`, a guess is not made at a peer holding `blindLimit` want-blocks while other
    /// session peers may still answer (the want then waits, as for `blind` false).
    private mutating func assign(_ want: Want, _ state: inout WantState, now: Double, blind: Bool, limited: Bool = false) {
        let session = usable
        let candidates = session + state.reserves.filter { !peers[$0].dropped && !session.contains($0) }.sorted()
        let open = candidates.filter { !state.dontHaves.contains($0) && !state.tried.contains($0) }
        var choice = leastLoaded(open.filter { state.haves.contains($0) })
        if choice == nil {
            let awaiting = open.contains { state.live.contains($0) && !state.blockAsked.contains($0) }
            if blind || !awaiting {
                choice = leastLoaded(open.filter { peers[$0].active }) ?? leastLoaded(open)
                // Others could still say HAVE: leave the want to them rather than pile it on.
                if limited, let guess = choice, load(guess) >= configuration.blindLimit,
                   session.contains(where: { $0 != guess && !isIdle($0) && !state.dontHaves.contains($0) }) {
                    choice = nil
                }
            }
        }
        if let choice {
            askForBlock(want, of: choice, &state, now: now)
            return
        }
        guard !candidates.isEmpty, candidates.allSatisfy({ state.dontHaves.contains($0) }) else { return }
        // Everyone asked refused: the next reserves that have not been asked, before giving up.
        let untried = peers.indices.filter { peer in
            !peers[peer].dropped && !candidates.contains(peer) && !state.dontHaves.contains(peer)
        }
        guard !untried.isEmpty else {
            failure = failure ?? .notFound(want, peers: state.dontHaves.count)
            return
        }
        state.since = now
        for reserve in untried.prefix(configuration.maxPeers) {
            state.reserves.insert(reserve)
            send(.wantHave(want), to: reserve, state: &state)
        }
    }

    private mutating func send(_ action: Action, to peer: Int, state: inout WantState) {
        state.live.insert(peer)
        queue(action, to: peer)
    }

    private mutating func queue(_ action: Action, to peer: Int) {
        pending[peer, default: []].append(action)
    }

    private mutating func strike(_ peer: Int, now: Double) {
        guard !peers[peer].dropped else { return }
        peers[peer].strikes += 1
        totalStrikes += 1
        if peers[peer].strikes >= configuration.maxStrikes, usable.count > 1 || reserveExists {
            penalisedPeers += 1
            drop(peer, now: now, cancel: true)
        }
    }

    private var reserveExists: Bool { peers.filter { !$0.dropped }.count > usable.count }

    /// Takes `peer` out: its live wants are cancelled (if it is reachable), the wants it was to
    /// deliver move to others, and a promoted reserve is asked whether it has the open wants.
    private mutating func drop(_ peer: Int, now: Double, cancel: Bool) {
        let before = Set(usable)
        peers[peer].dropped = true
        peers[peer].outstanding = 0
        let promoted = usable.filter { !before.contains($0) }
        for want in wantsInOrder {
            var state = wants[want]!
            if state.live.remove(peer) != nil, cancel { queue(.cancel(want), to: peer) }
            state.blockAsked.remove(peer)
            state.haves.remove(peer)
            for newcomer in promoted { send(.wantHave(want), to: newcomer, state: &state) }
            if state.blockPeer == peer {
                state.blockPeer = nil
                state.since = now
                assign(want, &state, now: now, blind: false)
            } else if state.blockPeer == nil {
                assign(want, &state, now: now, blind: false)
            }
            wants[want] = state
        }
    }
}
