import Foundation
import Synchronization

/// Counts completed jobs per module and emits `jobs-completed` events, coalesced to at most one per
/// `interval` (a module finishing thousands of tiny jobs must not flood the front end). Counts are
/// never dropped: ``flush()`` emits the latest totals if any are unreported, and runs when a
/// module ends. One ledger per process, shared by all modules (the event carries every module's
/// total).
public final class JobLedger: Sendable {
    private struct State {
        var counts: [String: UInt64]
        var lastEmit: ContinuousClock.Instant?
        var dirty = false

        var snapshotEvent: StationEvent {
            .jobsCompleted(total: counts.values.reduce(0, &+), modules: counts)
        }
    }

    private let sink: any StationEventSink
    private let interval: Duration
    private let state: Mutex<State>

    public init(sink: any StationEventSink, interval: Duration = .seconds(1), initialCounts: [String: UInt64] = [:]) {
        self.sink = sink
        self.interval = interval
        self.state = Mutex(State(counts: initialCounts))
    }

    /// Counts one job for `module`.
    public func record(module: String) {
        let event: StationEvent? = state.withLock { state in
            state.counts[module, default: 0] &+= 1
            state.dirty = true
            let now = ContinuousClock.now
            if let lastEmit = state.lastEmit, now - lastEmit < interval { return nil }
            state.lastEmit = now
            state.dirty = false
            return state.snapshotEvent
        }
        if let event { sink.emit(event) }
    }

    /// Emits the totals if some were not reported yet.
    public func flush() {
        let event: StationEvent? = state.withLock { state in
            guard state.dirty else { return nil }
            state.dirty = false
            state.lastEmit = ContinuousClock.now
            return state.snapshotEvent
        }
        if let event { sink.emit(event) }
    }

    /// Jobs counted for `module`.
    public func count(for module: String) -> UInt64 { state.withLock { $0.counts[module] ?? 0 } }

    /// All totals.
    public var totals: [String: UInt64] { state.withLock { $0.counts } }
}
