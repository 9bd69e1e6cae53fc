import Foundation
import Synchronization

/// Waits for async work up to a time limit, and returns at the limit even when the work cannot be
/// cancelled.
///
/// A task group cannot do this: it always waits for its children, so a child blocked in a call
/// that ignores cancellation (a module thread stuck in the kernel, say) would hold the caller
/// forever. Here the work runs in an unstructured task that is left behind at the limit.
///
/// ```swift
/// let ended = await BoundedWait.run(upTo: .seconds(10)) { await supervisor.waitUntilStopped() }
/// // true: it finished; false: 10 s passed first (the work goes on in the background)
/// ```
enum BoundedWait {
    /// Runs `work` and returns true when it finishes within `limit`, false when the limit passes
    /// first.
    static func run(upTo limit: Duration, _ work: @escaping @Sendable () async -> Void) async -> Bool {
        let outcome = FirstAnswer()
        return await withCheckedContinuation { continuation in
            outcome.wait(with: continuation)
            let worker = Task {
                await work()
                outcome.answer(true)
            }
            Task {
                try? await Task.sleep(for: limit)
                outcome.answer(false)
                _ = worker  // left running: it may be stuck where cancellation cannot reach
            }
        }
    }

    /// Resumes the waiting continuation with whichever answer comes first.
    private final class FirstAnswer: Sendable {
        private let pending = Mutex<CheckedContinuation<Bool, Never>?>(nil)

        func wait(with continuation: CheckedContinuation<Bool, Never>) {
            pending.withLock { $0 = continuation }
        }

        func answer(_ value: Bool) {
            pending.withLock { $0.take() }?.resume(returning: value)
        }
    }
}
