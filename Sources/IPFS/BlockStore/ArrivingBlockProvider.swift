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
/// Example: `station ipfs get CID -o OUT` and `ipfs_get` run the fetch and, at the same time, a
/// `UnixFSExporter` over this provider, through ``fetch(into:_:whileReading:incomplete:whenFetched:)``
/// (which calls `finish()` when the fetch returns or throws); the exporter writes the first leaf
/// as soon as the root, the inner nodes above it and the leaf itself are stored.
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

/// What one half of ``ArrivingBlockProvider/fetch(into:_:whileReading:incomplete:whenFetched:)`` ended with.
private enum FetchHalf: Sendable {
    case fetched, read, incomplete
}

extension ArrivingBlockProvider {
    /// Runs `fetch` (which fills `store`) and `read` (over a provider that follows it) at once,
    /// the one way every reader of a fetch in progress is wired. The first error ends both: a
    /// read that fails on its own (a path the DAG cannot have, a malformed node) cancels the
    /// fetch, and a failed fetch is reported with its own error, not the missing block it left
    /// the read waiting for. A read that misses a block after the fetch succeeded throws
    /// `incomplete()`. `whenFetched` runs once both halves are over, if the fetch succeeded
    /// (whatever the read did): where a caller gives back what the fetch holds.
    public static func fetch(
        into store: BlockStore, _ fetch: @escaping @Sendable () async throws -> Void,
        whileReading read: @escaping @Sendable (ArrivingBlockProvider) async throws -> Void,
        incomplete: @escaping @Sendable () -> any Error, whenFetched: () -> Void = {}
    ) async throws {
        let arriving = ArrivingBlockProvider(store: store)
        var fetched = false
        defer { if fetched { whenFetched() } }
        try await withThrowingTaskGroup(of: FetchHalf.self) { group in
            group.addTask {
                defer { arriving.finish() }
                try await fetch()
                return .fetched
            }
            group.addTask {
                do {
                    try await read(arriving)
                    return .read
                } catch IPFSError.blockNotFound where arriving.isFinished {
                    return .incomplete
                }
            }
            var missing = false
            do {
                while let half = try await group.next() {
                    if case .fetched = half { fetched = true }
                    if case .incomplete = half { missing = true }
                }
            } catch {
                // The other half is cancelled; a fetch that finished all the same still counts.
                group.cancelAll()
                while let half = try? await group.next() {
                    if case .fetched = half { fetched = true }
                }
                throw error
            }
            if missing { throw incomplete() }
        }
    }
}
