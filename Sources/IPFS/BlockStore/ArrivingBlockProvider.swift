import Multiformats
import Synchronization

/// Reads a DAG out of a store while a fetch is still putting its blocks there, so a file can be
/// written out as its blocks arrive instead of after the whole DAG is in.
///
/// A block the store lacks is waited for until a put brings it or ``finish()`` says the fetch is
/// over; after that, a missing block is missing (`nil`, so readers fail with `.blockNotFound`).
/// Nothing here holds or pins: the fetch decides what the store keeps. Cancelling the reading task
/// ends its wait.
///
/// Example: `station ipfs get CID -o OUT` runs the fetch and, at the same time, a
/// `UnixFSExporter` over this provider; the exporter writes the first leaf as soon as the root,
/// the inner nodes above it and the leaf itself are stored, and calls `finish()` when the fetch
/// returns or throws.
public final class ArrivingBlockProvider: BlockProvider {
    /// The store the fetch fills.
    public let store: BlockStore
    private let finished = Atomic<Bool>(false)

    /// A provider over `store`; call ``finish()`` when the fetch filling it ends.
    public init(store: BlockStore) {
        self.store = store
    }

    /// True once ``finish()`` was called.
    public var isFinished: Bool { finished.load(ordering: .acquiring) }

    /// The block named `cid` from the store, waiting for it while the fetch runs.
    /// - Throws: what `BlockStore.get` throws; `CancellationError` when the task is cancelled.
    public func block(for cid: CID) async throws -> Block? {
        let key = BlockFileLayout.key(of: cid)
        while true {
            // Read `finished` before the store: a block stored before the fetch ended is then seen.
            let over = isFinished
            if let block = try store.get(cid) { return block }
            if over { return nil }
            try Task.checkCancellation()
            await store.arrivals.wait(for: key) { store.has(cid) || isFinished }
        }
    }

    /// Says the fetch is over (done or failed): waiting readers re-check the store once more and
    /// then get `nil` for what is still missing.
    public func finish() {
        finished.store(true, ordering: .releasing)
        store.arrivals.wakeAll()
    }
}
