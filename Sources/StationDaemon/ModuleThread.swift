import Foundation
import Sandbox
import SandboxEngine
import Synchronization

/// Runs one module instance on a thread of its own and lets other threads read that thread's
/// CPU time while it runs.
final class ModuleThread: Sendable {
    private let clock = Mutex<clockid_t?>(nil)

    /// Runs `runner` on a new thread sized for its stack limit and waits for the outcome.
    func run(_ runner: ModuleRunner, name: String) async -> RunOutcome {
        await withCheckedContinuation { continuation in
            let thread = Thread { [self] in
                var id = clockid_t()
                if pthread_getcpuclockid(pthread_self(), &id) == 0 {
                    clock.withLock { $0 = id }
                }
                let outcome = runner.runOnCurrentThread()
                clock.withLock { $0 = nil }
                continuation.resume(returning: outcome)
            }
            thread.name = "station module \(name)"
            thread.stackSize = ModuleRunner.threadStackSize(for: runner.configuration.limits)
            thread.start()
        }
    }

    /// CPU time of the running instance's thread (nil when none runs).
    func cpuTime() -> Duration? {
        clock.withLock { id in
            guard let id else { return nil }
            var spec = timespec()
            guard clock_gettime(id, &spec) == 0 else { return nil }
            return .seconds(Int64(spec.tv_sec)) + .nanoseconds(Int64(spec.tv_nsec))
        }
    }
}
