import Foundation

/// Counts completed jobs per module and emits `jobs-completed` events, coalesced to at most one per
/// `interval` (a module finishing thousands of tiny jobs must not flood the front end). Counts are
/// never dropped: ``flush()`` emits the latest totals if any are unreported, and runs when a
/// module ends. One ledger per process, shared by all modules (the event carries every module's
/// total).
public final class JobLedger: @unchecked Sendable {
    private let sink: any StationEventSink
    private let interval: Duration
    private let lock = NSLock()
    private var counts: [String: UInt64] = [:]
    private var lastEmit: ContinuousClock.Instant?
    private var dirty = false

    public init(sink: any StationEventSink, interval: Duration = .seconds(1), initialCounts: [String: UInt64] = [:]) {
        self.sink = sink
        self.interval = interval
        self.counts = initialCounts
    }

    /// Counts one job for `module`.
    public func record(module: String) {
        let event: StationEvent? = lock.withLock {
            counts[module, default: 0] &+= 1
            dirty = true
            let now = ContinuousClock.now
            if let lastEmit, now - lastEmit < interval { return nil }
            lastEmit = now
            dirty = false
            return snapshotEvent()
        }
        if let event { sink.emit(event) }
    }

    /// Emits the totals if some were not reported yet.
    public func flush() {
        let event: StationEvent? = lock.withLock {
            guard dirty else { return nil }
            dirty = false
            lastEmit = ContinuousClock.now
            return snapshotEvent()
        }
        if let event { sink.emit(event) }
    }

    /// Jobs counted for `module`.
    public func count(for module: String) -> UInt64 { lock.withLock { counts[module] ?? 0 } }

    /// All totals.
    public var totals: [String: UInt64] { lock.withLock { counts } }

    private func snapshotEvent() -> StationEvent {
        .jobsCompleted(total: counts.values.reduce(0, &+), modules: counts)
    }
}
