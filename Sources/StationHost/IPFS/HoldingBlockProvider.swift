import Foundation
import IPFS
import Multiformats

/// A block provider over the shared store for a scoped read (`dag-scope=block|entity`): every
/// block a walk asks for is held for the module while the read lasts, taken from the store when it
/// is there and otherwise fetched (for example one block at a time over Bitswap).
///
/// Nothing is pinned. A block already in the store is held with a `put` of the block it has, which
/// writes nothing (the store only counts the hold), so a read of local content works while the disk
/// cannot be written; a fetched block is held by the fetch's own `put`. Each block is held once,
/// however often the walk asks for it. ``release()`` gives every hold back once the read is done;
/// ``abandon()`` does the same after a failure and also deletes the fetched blocks nothing else holds.
final class HoldingBlockProvider: BlockProvider, @unchecked Sendable {
    /// Fetches a block the store lacks and stores it for the module, holding it (as
    /// `Bitswap.fetchBlock` does).
    typealias Fetcher = @Sendable (CID) async throws -> Block

    private let store: BlockStore
    private let module: String
    private let fetcher: Fetcher?
    private let lock = NSLock()
    private var heldSet = Set<CID>()
    private var local: [CID] = []
    private var fetched: [CID] = []

    /// - Parameter fetcher: how to get a block the store lacks; nil answers "not found" instead.
    init(store: BlockStore, module: String, fetcher: Fetcher? = nil) {
        self.store = store
        self.module = module
        self.fetcher = fetcher
    }

    func block(for cid: CID) async throws -> Block? {
        if let inline = Block.inline(cid) { return inline }
        let alreadyHeld = lock.withLock { heldSet.contains(cid) }
        if let stored = try store.get(cid) {
            if !alreadyHeld {
                // The block is in the store: this put only takes a hold (nothing is written).
                try store.put(stored, module: module)
                record(cid, fetched: false)
            }
            return stored
        }
        guard let fetcher else { return nil }
        let block = try await fetcher(cid)
        record(cid, fetched: true)
        return block
    }

    /// Every CID held so far (each once).
    var held: [CID] { lock.withLock { local + fetched } }

    /// Gives back every hold (the read is done; the blocks become garbage unless pinned).
    func release() {
        for cid in takeAll().all { store.release(cid, module: module) }
    }

    /// Gives back every hold after a failure, deleting the fetched blocks nothing else holds (the
    /// blocks that were already in the store are only released).
    func abandon() {
        let taken = takeAll()
        for cid in taken.local { store.release(cid, module: module) }
        store.abandon(taken.fetched, module: module)
    }

    /// Hands the holds to the caller (who then releases each with `store.release`); this provider
    /// forgets them.
    func transfer() -> [CID] { takeAll().all }

    private func record(_ cid: CID, fetched isFetched: Bool) {
        let duplicate = lock.withLock { () -> Bool in
            guard heldSet.insert(cid).inserted else { return true }
            if isFetched { fetched.append(cid) } else { local.append(cid) }
            return false
        }
        // Two concurrent asks for the same block took two holds: give the extra one back.
        if duplicate { store.release(cid, module: module) }
    }

    private func takeAll() -> (local: [CID], fetched: [CID], all: [CID]) {
        lock.withLock {
            defer {
                local = []
                fetched = []
                heldSet = []
            }
            return (local, fetched, local + fetched)
        }
    }
}
