import Foundation
import Sandbox
import StationHost
import Synchronization

/// `station run` of a JavaScript module: stores the module's job total (``JavaScriptJobTotal``)
/// before each `jobs-completed` event goes out, as Zinnia's daemon does, so the next run starts
/// from it. A failed write is reported once as an `activity:error` and the run goes on.
final class JobTotalSink: StationEventSink {
    private let output: any StationEventSink
    private let store: JavaScriptJobTotal
    private let module: String
    /// Held while a total is written (so totals land in order); true once a failure was reported.
    private let failureReported = Mutex(false)

    init(output: any StationEventSink, store: JavaScriptJobTotal, module: String) {
        self.output = output
        self.store = store
        self.module = module
    }

    func emit(_ event: StationEvent) {
        if case .jobsCompleted(_, let modules) = event, let total = modules[module] {
            do {
                try failureReported.withLock { _ in try store.store(total) }
            } catch {
                let first = failureReported.withLock { reported -> Bool in
                    defer { reported = true }
                    return !reported
                }
                if first { output.emit(.activity(module: module, level: .error, message: "cannot store the job total in \(store.path): \(error)")) }
            }
        }
        output.emit(event)
    }
}
