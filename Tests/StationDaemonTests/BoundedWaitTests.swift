import Foundation
import Synchronization
import Testing
@testable import StationDaemon

@Suite struct BoundedWaitTests {
    @Test func workThatFinishesInTimeReportsTrue() async {
        let ran = Flag()
        let ended = await BoundedWait.run(upTo: .seconds(60)) { ran.set() }
        #expect(ended)
        #expect(ran.isSet)
    }

    /// The daemon's stop used a task group, which waits for its children: a module stuck in a call
    /// that ignores cancellation kept SIGTERM from ever finishing. The wait must return at the limit.
    @Test func workThatNeverEndsIsLeftBehindAtTheLimit() async {
        let gate = DispatchSemaphore(value: 0)
        let started = ContinuousClock.now
        let ended = await BoundedWait.run(upTo: .milliseconds(200)) {
            // Blocks a thread and ignores cancellation, as a module stuck in the kernel would.
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                Thread.detachNewThread {
                    gate.wait()
                    done.resume()
                }
            }
        }
        #expect(!ended)
        // Not a timing threshold: only that the wait did not last as long as the blocked work.
        #expect(ContinuousClock.now - started < .seconds(60))
        gate.signal()
    }

    private final class Flag: Sendable {
        private let value = Mutex(false)
        func set() { value.withLock { $0 = true } }
        var isSet: Bool { value.withLock { $0 } }
    }
}
