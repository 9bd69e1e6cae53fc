import Foundation
import SandboxEngine

/// Wakes a module's thread waiting in `poll` when any of its resources changes state.
///
/// Producers (event loops, tasks) call ``signal()`` after they change something a poller may be
/// waiting for; the module thread calls ``wait(after:until:governor:)``. A generation counter
/// makes the hand-over race-free: a poller reads the generation, scans its handles, and waits
/// only while the generation is unchanged, so a signal between the scan and the wait is never
/// lost.
public final class ReadinessHub: @unchecked Sendable {
    private let condition = NSCondition()
    private var generationValue: UInt64 = 0

    public init() {}

    /// The current generation; read it before scanning handles.
    public var generation: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return generationValue
    }

    /// Something changed: wake every waiter.
    public func signal() {
        condition.lock()
        generationValue &+= 1
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until the generation moves past `seen`, `deadline` passes, or the governor asks the
    /// module to stop (the operations signal the hub on a stop request, see
    /// ``StationOperations/attach(governor:)``; the stop is also checked every 10 s, as a
    /// backstop). Returns whether the generation moved.
    @discardableResult
    public func wait(after seen: UInt64, until deadline: ContinuousClock.Instant?, governor: ExecutionGovernor?) throws -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while generationValue == seen {
            if let stop = governor?.pendingStop() { throw stop }
            let now = ContinuousClock.now
            if let deadline, now >= deadline { return false }
            var slice: Duration = .seconds(10)
            if let deadline { slice = min(slice, deadline - now) }
            if let left = governor?.remainingTime() { slice = min(slice, max(left, .milliseconds(1))) }
            _ = condition.wait(until: Date(timeIntervalSinceNow: max(0.0005, Double(slice.nanoseconds) / 1e9)))
        }
        return true
    }
}
