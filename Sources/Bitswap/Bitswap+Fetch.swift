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
    public func fetchDAG(root: CID, from peers: [PeerID], module: String) async throws -> BitswapFetchResult {
        try await fetch(root: root, followLinks: true, peers: peers, module: module) { _ in }
    }

    /// `fetchDAG` from peers given by address (`/ip4/…/tcp/…/p2p/ID`); connects first.
    public func fetchDAG(root: CID, from addresses: [Multiaddr], module: String) async throws -> BitswapFetchResult {
        try await fetchDAG(root: root, from: try await resolvePeers(addresses), module: module)
    }

    // MARK: The fetch loop

    private func fetch(
        root: CID, followLinks: Bool, peers: [PeerID], module: String, rootBlock: (Block) -> Void
    ) async throws -> BitswapFetchResult {
        let (session, events) = registry.openSession()
        let interval = max(0.05, min(1, configuration.fetchTimeout / 4))
        let ticker = Task { [registry] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                registry.tick(session: session)
            }
        }
        var walk = FetchWalk(root: root, followLinks: followLinks, peers: peers, window: configuration.window)
        defer {
            ticker.cancel()
            registry.closeSession(session)
        }
        do {
            var iterator = events.makeAsyncIterator()
            var lastProgress = ContinuousClock.now
            while true {
                try await refill(&walk, session: session, module: module, rootBlock: rootBlock)
                if walk.isDone { break }
                guard let event = await iterator.next() else { throw BitswapError.closed }
                switch event {
                case .block(let block, let peer):
                    guard walk.inFlight.removeValue(forKey: block.cid.multihash.bytes) != nil else { continue }
                    try accept(block, into: &walk, module: module, rootBlock: rootBlock)
                    walk.fetchedBlocks += 1
                    lastProgress = .now
                    for other in peers where other != peer {
                        walk.pendingCancels[other, default: []].append(block.cid)
                    }
                case .dontHave(let cid, let peer):
                    let key = cid.multihash.bytes
                    guard walk.inFlight[key] != nil else { continue }
                    walk.inFlight[key]?.dontHaves.insert(peer)
                    if let count = walk.inFlight[key]?.dontHaves.count, count >= peers.count {
                        throw BitswapError.notFound(cid: cid.description, peers: peers.count)
                    }
                case .tick:
                    let waited = ContinuousClock.now - lastProgress
                    if waited > .seconds(configuration.fetchTimeout) {
                        let missing = walk.inFlight.values.min { $0.order < $1.order }?.cid ?? root
                        throw BitswapError.timeout(missing: missing.description, waitedSeconds: configuration.fetchTimeout)
                    }
                }
            }
            if followLinks {
                do {
                    try store.pin(root, module: module)
                } catch let error as IPFSError {
                    throw BitswapError.store(error)
                }
                for cid in walk.held { store.release(cid, module: module) }
            }
            return BitswapFetchResult(root: root, blocks: walk.held.count, bytes: walk.bytes, fetchedBlocks: walk.fetchedBlocks)
        } catch {
            store.abandon(walk.held, module: module)
            let outstanding = walk.inFlight.values.map(\.cid)
            if !outstanding.isEmpty {
                let cancels = BitswapMessage(wantlist: outstanding.map { .init(cid: $0, cancel: true) })
                for peer in peers { try? await senders.send(cancels, to: peer) }
            }
            throw error
        }
    }

    /// Takes blocks off the walk's queue until the window is full: blocks already in the store are
    /// used directly, the others are wanted from every peer in one message per peer.
    private func refill(_ walk: inout FetchWalk, session: UInt64, module: String, rootBlock: (Block) -> Void) async throws {
        var wants: [(cid: CID, order: Int)] = []
        while walk.inFlight.count < walk.window, let cid = walk.nextToWant() {
            // `get` also answers identity CIDs, from the CID itself.
            if let local = try? store.get(cid) {
                try accept(local, into: &walk, module: module, rootBlock: rootBlock)
                continue
            }
            registry.want(cid, session: session)
            walk.inFlight[cid.multihash.bytes] = FetchWalk.Want(cid: cid, order: walk.wantCounter)
            wants.append((cid, walk.wantCounter))
            walk.wantCounter += 1
        }
        // Only now are peers needed: local and identity blocks were taken above.
        if !wants.isEmpty, walk.peers.isEmpty { throw BitswapError.noPeers }
        var reached = 0
        for peer in walk.peers {
            var entries = (walk.pendingCancels.removeValue(forKey: peer) ?? []).map { BitswapMessage.Entry(cid: $0, cancel: true) }
            entries += wants.map { want in
                BitswapMessage.Entry(cid: want.cid, priority: FetchWalk.priority(order: want.order), wantType: .block, sendDontHave: true)
            }
            guard !entries.isEmpty else { continue }
            do {
                try await senders.send(BitswapMessage(wantlist: entries), to: peer)
                reached += 1
            } catch {
                counters.update { $0.failedSends += 1 }
            }
        }
        if !wants.isEmpty, reached == 0 {
            throw BitswapError.peersUnreachable("could not send wants to any of \(walk.peers.count) peer(s)")
        }
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
        var dontHaves: Set<PeerID> = []
    }

    let root: CID
    let followLinks: Bool
    let peers: [PeerID]
    let window: Int
    var queue: [CID]
    var head = 0
    var seen: Set<[UInt8]>
    var inFlight: [[UInt8]: Want] = [:]
    var pendingCancels: [PeerID: [CID]] = [:]
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
}
