import Dispatch
import Foundation
import SandboxEngine
import Units
import Synchronization

/// Runs one step of loading a module (parsing WebAssembly text, validating, compiling) on a thread
/// of its own, with a large native stack and under ``Limits/loadTime``.
///
/// Neither WasmKit's text parser and validator nor Wasmtime's compiler can be interrupted, and a
/// hostile module can keep any of them busy for minutes. So the caller waits for the step only until
/// the limit passes, the run's deadline passes or the run is stopped; then it gets the error at
/// once and the step is abandoned: its thread is left to finish in the background and whatever it
/// produces (a compiled module, a parse error) is dropped on that thread, never handed to anyone.
/// The large stack lets recursive parsers go deep without overflowing into the host.
public enum BoundedLoad {
    /// The native stack of a loading thread. Only touched pages cost memory.
    public static let stackSize = 256 << 20

    /// Loads abandoned at their limit whose threads are still running (for diagnostics and tests).
    public static var abandonedStillRunning: Int { abandoned.load(ordering: .relaxed) }

    private static let abandoned = Atomic<Int>(0)

    /// Runs `work` on a new thread and waits for it for at most `limit`, or until `governor`'s
    /// deadline passes or it is asked to stop.
    ///
    /// - Parameters:
    ///   - what: what is being loaded, for the thread's name.
    ///   - limit: the load-time limit (``Limits/loadTime``); nil waits as long as it takes.
    ///   - governor: the run's governor: its stop requests and deadline end the wait too.
    /// - Throws: the error `work` threw; ``SandboxError/limitExceeded(_:detail:)`` with
    ///   ``LimitKind/loadTime`` when the limit or the run's deadline passed first; the stop reason
    ///   when the run was stopped.
    public static func run<T>(
        _ what: String, limit: Duration?, governor: ExecutionGovernor? = nil, _ work: @escaping @Sendable () throws -> T
    ) throws -> T {
        let handoff = Handoff<T>()
        governor?.onStop { handoff.wake() }
        let thread = Thread {
            let result = Result { try work() }
            if !handoff.deliver(result) {
                // Abandoned: `result` is dropped here, on this thread.
                abandoned.subtract(1, ordering: .relaxed)
            }
        }
        thread.name = "station load \(what)"
        thread.stackSize = stackSize
        thread.start()

        let limitEnd = limit.map { ContinuousClock.now + $0 }
        while true {
            if let result = handoff.take() { return try result.get() }
            var failure: SandboxError?
            if let reason = governor?.pendingStop() {
                if case .limitExceeded(.timeout, _) = reason {
                    let timeout = governor?.timeout.map(Units.formatDuration) ?? "?"
                    failure = .limitExceeded(
                        .loadTime, detail: "the run's wall-clock limit of \(timeout) passed while the module was still being loaded (parsed, validated, compiled)")
                } else {
                    failure = reason
                }
            } else if let limitEnd, let limit, ContinuousClock.now >= limitEnd {
                failure = .limitExceeded(
                    .loadTime, detail: "loading the module (parsing, validating, compiling) took longer than \(Units.formatDuration(limit))")
            }
            if let failure {
                if handoff.abandon() {
                    abandoned.add(1, ordering: .relaxed)
                    throw failure
                }
                // The result arrived just now: use it.
                continue
            }
            var wakeAt = limitEnd
            if let deadline = governor?.deadline { wakeAt = min(wakeAt ?? deadline, deadline) }
            handoff.wait(until: wakeAt)
        }
    }
}

/// Hands the result of a loading thread to the waiting one, unless the waiter gave up.
private final class Handoff<T>: @unchecked Sendable {
    // Guarded by `lock`; the result crosses threads exactly once (loader -> waiter) and the loader
    // never touches it after delivering, which is what makes a non-Sendable `T` safe here.
    private let lock = NSLock()
    private var result: Result<T, any Error>?
    private var abandoned = false
    private var taken = false
    private let signal = DispatchSemaphore(value: 0)

    /// Stores the result; false when the waiter has abandoned the work (then nothing is stored).
    func deliver(_ value: Result<T, any Error>) -> Bool {
        let stored: Bool = lock.withLock {
            guard !abandoned else { return false }
            result = value
            return true
        }
        if stored { signal.signal() }
        return stored
    }

    func take() -> Result<T, any Error>? {
        lock.withLock {
            guard let result, !taken else { return nil }
            taken = true
            self.result = nil
            return result
        }
    }

    /// Gives up on the work; false when its result is already there.
    func abandon() -> Bool {
        lock.withLock {
            guard result == nil, !taken else { return false }
            abandoned = true
            return true
        }
    }

    func wake() { signal.signal() }

    func wait(until instant: ContinuousClock.Instant?) {
        guard let instant else {
            signal.wait()
            return
        }
        let left = instant - ContinuousClock.now
        guard left > .zero else { return }
        _ = signal.wait(timeout: .now() + .nanoseconds(Int(clamping: left.nanoseconds)))
    }
}
