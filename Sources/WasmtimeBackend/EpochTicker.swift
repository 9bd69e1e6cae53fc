import CWasmtime
import Foundation
import Synchronization

/// One process-wide background thread that advances the epoch of every live Wasmtime engine
/// every ``interval``, so that running guest code reaches its epoch deadline and calls back into
/// the governor (timeouts, stop requests, CPU throttling).
///
/// The thread starts when the first engine registers and ends when none is left. Engines are
/// advanced under the same lock that unregistering takes, so an engine is never touched after
/// it unregistered.
final class EpochTicker: Sendable {
    static let shared = EpochTicker()

    /// How often epochs advance: the granularity of timeouts and CPU throttling.
    static let interval: Duration = .milliseconds(10)

    private struct Entry: @unchecked Sendable {
        let engine: OpaquePointer
        let api: UnsafePointer<cwt_api>
    }

    private struct State: @unchecked Sendable {
        var entries: [UInt64: Entry] = [:]
        var nextID: UInt64 = 0
        var running = false
    }

    private let state = Mutex(State())

    /// Starts advancing `engine`'s epoch; returns a ticket for ``unregister(_:)``.
    func register(engine: OpaquePointer, api: UnsafePointer<cwt_api>) -> UInt64 {
        let (id, start) = state.withLock { state in
            state.nextID += 1
            state.entries[state.nextID] = Entry(engine: engine, api: api)
            let start = !state.running
            state.running = true
            return (state.nextID, start)
        }
        if start {
            let thread = Thread { [self] in run() }
            thread.name = "station-wasmtime-epoch"
            thread.stackSize = 256 << 10
            thread.start()
        }
        return id
    }

    /// Stops advancing the engine registered under `id`. Returns once the ticker no longer uses it.
    func unregister(_ id: UInt64) {
        _ = state.withLock { $0.entries.removeValue(forKey: id) }
    }

    /// How many engines are being ticked (for tests).
    var registeredCount: Int { state.withLock { $0.entries.count } }

    private func run() {
        let nanos = Self.interval.nanoseconds
        while true {
            var request = timespec(tv_sec: Int(nanos / 1_000_000_000), tv_nsec: Int(nanos % 1_000_000_000))
            var remaining = timespec()
            while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
            let keepRunning = state.withLock { state -> Bool in
                if state.entries.isEmpty {
                    state.running = false
                    return false
                }
                for entry in state.entries.values {
                    entry.api.pointee.wasmtime_engine_increment_epoch(entry.engine)
                }
                return true
            }
            if !keepRunning { return }
        }
    }
}
