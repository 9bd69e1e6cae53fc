import IPFS
import Libp2p
import Multiformats

/// What a `fetchDAG` did.
public struct BitswapFetchResult: Sendable, Equatable {
    /// The root that was fetched (and pinned for the module).
    public var root: CID
    /// Blocks in the DAG (each counted once).
    public var blocks: Int
    /// Their total size in bytes.
    public var bytes: Int
    /// Blocks that came over the network (the rest were already in the store).
    public var fetchedBlocks: Int
}

extension Bitswap {
    /// Fetches one block from `peers` (connected or known to the host's peer store), verifies it
    /// and stores it for `module`, which holds it until `store.release(cid, module:)` or a pin.
    /// - Throws: `BitswapError.timeout` (naming the CID), `.notFound` when every peer answered
    ///   DONT_HAVE, `.noPeers`, `.peersUnreachable`, `.store` (quota, capacity).
    public func fetchBlock(_ cid: CID, from peers: [PeerID], module: String) async throws -> Block {
        if let inline = Block.inline(cid) { return inline }
        var fetched: Block?
        _ = try await fetch(root: cid, followLinks: false, peers: peers, module: module) { fetched = $0 }
        guard let fetched else { throw BitswapError.timeout(missing: cid.description, waitedSeconds: configuration.fetchTimeout) }
        return fetched
    }

    /// `fetchBlock` from peers given by address (`/ip4/…/tcp/…/p2p/ID`); connects first.
    public func fetchBlock(_ cid: CID, from addresses: [Multiaddr], module: String) async throws -> Block {
        if let inline = Block.inline(cid) { return inline }
        return try await fetchBlock(cid, from: try await resolvePeers(addresses), module: module)
    }

    /// Fetches the whole DAG under `root` (dag-pb links are followed; raw and other codecs are
    /// leaves), keeping up to `configuration.window` blocks wanted at once. Every block is
    /// verified, then stored for `module`; when the DAG is complete the root is pinned for the
    /// module. On failure nothing is pinned and the blocks stored so far that nothing else holds
    /// are deleted (`BlockStore.abandon`). Blocks already in the store and identity blocks (read
    /// from their CIDs) are never asked for, so a DAG that is complete locally needs no peers.
    /// - Throws: `BitswapError.timeout` naming a missing CID, `.notFound`, `.noPeers`,
    ///   `.peersUnreachable`, `.store` (quota, capacity, a dag-pb block that does not decode).
    /// - Parameter feed: peers found during the fetch join its session through it (see
    ///   ``BitswapPeerFeed``).
    public func fetchDAG(root: CID, from peers: [PeerID], module: String, feed: BitswapPeerFeed? = nil) async throws -> BitswapFetchResult {
        try await fetch(root: root, followLinks: true, peers: peers, module: module, feed: feed) { _ in }
    }

    /// `fetchDAG` from peers given by address (`/ip4/…/tcp/…/p2p/ID`); connects first.
    public func fetchDAG(root: CID, from addresses: [Multiaddr], module: String) async throws -> BitswapFetchResult {
        try await fetchDAG(root: root, from: try await resolvePeers(addresses), module: module)
    }

    // MARK: The fetch loop

    /// One session: the walk (what to fetch) and the scheduler (whom to ask) are driven by network
    /// events; this loop only moves events into them and their decisions onto the wire.
    private func fetch(
        root: CID, followLinks: Bool, peers: [PeerID], module: String, feed: BitswapPeerFeed? = nil, rootBlock: (Block) -> Void
    ) async throws -> BitswapFetchResult {
        let (session, events) = registry.openSession(peers: peers)
        feed?.attach(registry, session: session)
        defer { feed?.end() }
        let wantTimeout = configuration.effectiveWantTimeout
        let interval = max(0.01, min(1, configuration.fetchTimeout / 4, wantTimeout / 4))
        let ticker = Task { [registry] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                registry.tick(session: session)
            }
        }
        let started = ContinuousClock.now
        let clock = { Self.seconds(ContinuousClock.now - started) }
        var walk = FetchWalk(root: root, followLinks: followLinks, peers: peers, window: configuration.window)
        var scheduler = SessionScheduler<PeerID, CID>(
            peers: peers, configuration: .init(maxPeers: configuration.maxSessionPeers, wantTimeout: wantTimeout))
        let outcome: Result<BitswapFetchResult, Error>
        do {
            outcome = .success(try await run(&walk, &scheduler, session: session, events: events, module: module,
                                             clock: clock, rootBlock: rootBlock))
        } catch {
            outcome = .failure(error)
        }
        ticker.cancel()
        counters.update { stats in
            stats.peerStrikes += scheduler.totalStrikes
            stats.peersDropped += scheduler.penalisedPeers
        }
        // Cancels for every want still live, on success as on failure (then for other sessions'
        // wants only when they hold none of them any more).
        _ = await transmit(scheduler.finish(), walk: walk, session: session)
        for (peer, cids) in registry.closeSession(session) {
            try? await senders.send(BitswapMessage(wantlist: cids.map { .init(cid: $0, cancel: true) }), to: peer)
        }
        switch outcome {
        case .success(let result):
            return result
        case .failure(let error):
            store.abandon(walk.held, module: module)
            throw error
        }
    }

    private func run(
        _ walk: inout FetchWalk, _ scheduler: inout SessionScheduler<PeerID, CID>, session: UInt64,
        events: AsyncStream<FetchEvent>, module: String, clock: () -> Double, rootBlock: (Block) -> Void
    ) async throws -> BitswapFetchResult {
        var iterator = events.makeAsyncIterator()
        var lastProgress = ContinuousClock.now
        while true {
            try refill(&walk, &scheduler, session: session, module: module, now: clock(), rootBlock: rootBlock)
            while true {
                let unreachable = await transmit(scheduler.takeActions(), walk: walk, session: session)
                if unreachable.isEmpty { break }
                for peer in unreachable { scheduler.unreachable(peer, now: clock()) }
            }
            if walk.isDone { break }
            switch scheduler.failure {
            case .notFound(let cid, let count)?:
                throw BitswapError.notFound(cid: cid.description, peers: count)
            case .noPeers?:
                throw BitswapError.peersUnreachable("could not send wants to any of \(walk.peers.count) peer(s)")
            case nil:
                break
            }
            guard let event = await iterator.next() else { throw BitswapError.closed }
            let now = clock()
            switch event {
            case .block(let block, let peer):
                defer { registry.handled(block.cid, session: session) }
                guard walk.inFlight.removeValue(forKey: block.cid.multihash.bytes) != nil else { continue }
                scheduler.received(block.cid, from: peer, now: now)
                try accept(block, into: &walk, module: module, rootBlock: rootBlock)
                walk.fetchedBlocks += 1
                lastProgress = .now
            case .have(let cid, let peer):
                guard let want = walk.inFlight[cid.multihash.bytes] else { continue }
                scheduler.have(want.cid, from: peer, now: now)
            case .dontHave(let cid, let peer):
                guard let want = walk.inFlight[cid.multihash.bytes] else { continue }
                scheduler.dontHave(want.cid, from: peer, now: now)
            case .unwanted(let multihash, let peer):
                // A late copy of a block this fetch wanted is no offence; anything else is garbage.
                if let multihash, walk.seen.contains(multihash) { continue }
                scheduler.garbage(from: peer, now: now)
            case .joined(let peer):
                scheduler.addPeer(peer, now: now)
            case .tick:
                let waited = ContinuousClock.now - lastProgress
                if waited > .seconds(configuration.fetchTimeout) {
                    let missing = walk.inFlight.values.min { $0.order < $1.order }?.cid ?? walk.root
                    throw BitswapError.timeout(missing: missing.description, waitedSeconds: configuration.fetchTimeout)
                }
                scheduler.tick(now: now)
            }
        }
        if walk.followLinks {
            do {
                try store.pin(walk.root, module: module)
            } catch let error as IPFSError {
                throw BitswapError.store(error)
            }
            for cid in walk.held { store.release(cid, module: module) }
        }
        return BitswapFetchResult(root: walk.root, blocks: walk.held.count, bytes: walk.bytes, fetchedBlocks: walk.fetchedBlocks)
    }

    /// Takes blocks off the walk's queue until the window is full: blocks already in the store are
    /// used directly, the others are handed to the scheduler (unless another session just
    /// received the block, which the registry hands over).
    private func refill(
        _ walk: inout FetchWalk, _ scheduler: inout SessionScheduler<PeerID, CID>, session: UInt64, module: String,
        now: Double, rootBlock: (Block) -> Void
    ) throws {
        var added: [CID] = []
        while walk.inFlight.count < walk.window, let cid = walk.nextToWant() {
            // `get` also answers identity CIDs, from the CID itself.
            if let local = try? store.get(cid) {
                try accept(local, into: &walk, module: module, rootBlock: rootBlock)
                continue
            }
            walk.inFlight[cid.multihash.bytes] = FetchWalk.Want(cid: cid, order: walk.wantCounter)
            walk.wantCounter += 1
            if registry.want(cid, session: session) { continue }   // another session's copy is handed over
            // Another session may have stored it between our look-up and the registration.
            if let local = try? store.get(cid) {
                registry.unwant(cid, session: session)
                walk.inFlight[cid.multihash.bytes] = nil
                try accept(local, into: &walk, module: module, rootBlock: rootBlock)
                continue
            }
            added.append(cid)
        }
        // Only now are peers needed: local and identity blocks were taken above.
        if !added.isEmpty, walk.peers.isEmpty { throw BitswapError.noPeers }
        for cid in added { scheduler.add(cid, now: now) }
    }

    /// Sends the scheduler's actions, shared with the other sessions' wants; returns the peers a
    /// message could not be sent to.
    private func transmit(
        _ actions: [(peer: PeerID, actions: [SessionScheduler<PeerID, CID>.Action])], walk: FetchWalk, session: UInt64
    ) async -> [PeerID] {
        guard !actions.isEmpty else { return [] }
        let requests = actions.map { peer, list in
            (peer: peer, requests: list.map { action -> SessionRequest in
                switch action {
                case .wantBlock(let cid): .wantBlock(cid, priority: walk.priority(of: cid))
                case .wantHave(let cid): .wantHave(cid, priority: walk.priority(of: cid))
                case .cancel(let cid): .cancel(cid)
                }
            })
        }
        var unreachable: [PeerID] = []
        for (peer, entries) in registry.share(requests, session: session) {
            do {
                try await senders.send(BitswapMessage(wantlist: entries), to: peer)
            } catch {
                counters.update { $0.failedSends += 1 }
                registry.forgetWire(to: peer, session: session)
                unreachable.append(peer)
            }
        }
        return unreachable
    }

    /// A duration in seconds.
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Stores a verified block for the module and queues its children.
    private func accept(_ block: Block, into walk: inout FetchWalk, module: String, rootBlock: (Block) -> Void) throws {
        do {
            try store.put(block, module: module)
            walk.held.append(block.cid)
            walk.bytes += block.data.count
            if block.cid == walk.root { rootBlock(block) }
            if walk.followLinks {
                for child in try BlockLinks.children(of: block.cid, data: block.data) { walk.enqueue(child) }
            }
        } catch let error as IPFSError {
            throw BitswapError.store(error)
        }
    }
}

/// The state of one fetch: blocks still to want, blocks wanted and not yet received, blocks held.
struct FetchWalk {
    struct Want {
        var cid: CID
        var order: Int
    }

    let root: CID
    let followLinks: Bool
    let peers: [PeerID]
    let window: Int
    var queue: [CID]
    var head = 0
    var seen: Set<[UInt8]>
    var inFlight: [[UInt8]: Want] = [:]
    var held: [CID] = []
    var bytes = 0
    var fetchedBlocks = 0
    var wantCounter = 0

    init(root: CID, followLinks: Bool, peers: [PeerID], window: Int) {
        self.root = root
        self.followLinks = followLinks
        self.peers = peers
        self.window = window
        queue = [root]
        seen = [root.multihash.bytes]
    }

    /// True when nothing is queued or wanted.
    var isDone: Bool { inFlight.isEmpty && head == queue.count }

    /// The next block to want, in breadth-first link order.
    mutating func nextToWant() -> CID? {
        guard head < queue.count else { return nil }
        let cid = queue[head]
        head += 1
        if head > 4096, head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return cid
    }

    /// Queues a block unless it was seen before (by multihash).
    mutating func enqueue(_ cid: CID) {
        if seen.insert(cid.multihash.bytes).inserted { queue.append(cid) }
    }

    /// Earlier wants get higher priorities, so peers send blocks roughly in walk order.
    static func priority(order: Int) -> Int32 {
        Int32(clamping: max(1, Int(Int32.max) - order))
    }

    /// The priority of an open want (1 when it is not open).
    func priority(of cid: CID) -> Int32 {
        inFlight[cid.multihash.bytes].map { Self.priority(order: $0.order) } ?? 1
    }
}
