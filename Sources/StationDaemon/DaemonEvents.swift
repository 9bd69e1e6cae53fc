import Foundation
import StationHost
import StationStatus
import Synchronization

/// Every event of the daemon passes here: job totals are stored before they are printed (so a
/// total a front end has seen never goes back after a restart), activity is kept for the
/// dashboard, and everything goes on to the output (JSON lines or readable lines).
public final class DaemonEvents: StationEventSink {
    private struct State {
        var log: [ActivityEntry] = []
        var latest: [String: String] = [:]
        var storageFailureReported = false
    }

    private let output: any StationEventSink
    private let database: DaemonDatabase?
    private let capacity: Int
    private let state = Mutex(State())

    /// - Parameters:
    ///   - output: where events are printed.
    ///   - database: where job totals are stored (nil: not stored).
    ///   - capacity: how many activity entries the dashboard's log keeps.
    public init(output: any StationEventSink, database: DaemonDatabase?, capacity: Int = 1000) {
        self.output = output
        self.database = database
        self.capacity = capacity
    }

    public func emit(_ event: StationEvent) {
        switch event {
        case .jobsCompleted(_, let modules):
            do {
                try database?.saveJobTotals(modules)
            } catch {
                let first = state.withLock { state -> Bool in
                    defer { state.storageFailureReported = true }
                    return !state.storageFailureReported
                }
                if first { output.emit(.activity(module: "station", level: .error, message: "cannot store job totals: \(error)")) }
            }
        case .activity(let module, let level, let message):
            state.withLock { state in
                state.log.append(ActivityEntry(time: Date(), module: module, level: level.rawValue, message: message))
                if state.log.count > capacity + capacity / 4 { state.log.removeFirst(state.log.count - capacity) }
                state.latest[module] = message
            }
        case .started:
            break
        }
        output.emit(event)
    }

    /// The newest `limit` activity entries, oldest first.
    public func activity(limit: Int) -> [ActivityEntry] {
        state.withLock { Array($0.log.suffix(max(0, limit))) }
    }

    /// The newest activity message of `module`.
    public func lastActivity(of module: String) -> String? { state.withLock { $0.latest[module] } }
}
