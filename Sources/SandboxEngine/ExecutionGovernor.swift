import Dispatch
import Synchronization
import Units

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Watches one running instance: enforces its wall-clock deadline, throttles it to its CPU share,
/// and stops it when asked from another thread.
///
/// Engines call ``checkpoint()`` regularly while guest code runs (Wasmtime from its epoch-deadline
/// callback every few milliseconds; WasmKit from a check injected at loop headers), and blocking
/// host calls bound their waits with ``remainingTime()``. Everything except ``checkpoint()`` may be
/// called from any thread.
public final class ExecutionGovernor: Sendable {
    /// The wall-clock limit this governor enforces, if any.
    public let timeout: Duration?
    /// The moment the timeout expires.
    public let deadline: ContinuousClock.Instant?
    /// The share of one core the instance may use, in (0, 1].
    public let cpuShare: Double?

    private let stopRequest = Mutex<SandboxError?>(nil)
    private let stopFlag = Atomic<Bool>(false)
    private let throttle = Mutex<ThrottleWindow?>(nil)
    private let denial = Mutex<(LimitKind, String)?>(nil)
    private let throttledNanos = Atomic<UInt64>(0)
    private let checkpoints = Atomic<UInt64>(0)
    private let cpuClock: @Sendable () -> Duration
    private let stopHandlers = Mutex<[@Sendable () -> Void]>([])
    /// Signalled once, when the first stop is requested: ends ``sleep(for:)`` at once.
    private let stopSignal = DispatchSemaphore(value: 0)

    /// Creates a governor; the timeout starts counting now.
    ///
    /// - Parameter cpuClock: the CPU time used so far by the thread that calls ``checkpoint()``;
    ///   tests replace it to simulate a busy thread on a busy machine.
    public init(timeout: Duration? = nil, cpuShare: Double? = nil, cpuClock: @escaping @Sendable () -> Duration = ExecutionGovernor.threadCPUTime) {
        self.timeout = timeout
        self.cpuClock = cpuClock
        self.deadline = timeout.map { ContinuousClock.now.advanced(by: $0) }
        if let cpuShare, cpuShare > 0, cpuShare < 1 {
            self.cpuShare = cpuShare
        } else {
            self.cpuShare = nil
        }
    }

    /// A governor for the given limits.
    public convenience init(limits: Limits) {
        self.init(timeout: limits.timeout, cpuShare: limits.cpuShare)
    }

    /// Asks the instance to stop at its next checkpoint with `reason`. Safe from any thread; the
    /// first reason wins.
    public func requestStop(_ reason: SandboxError) {
        let first = stopRequest.withLock { current in
            guard current == nil else { return false }
            current = reason
            return true
        }
        stopFlag.store(true, ordering: .releasing)
        guard first else { return }
        stopSignal.signal()
        for handler in stopHandlers.withLock({ $0 }) { handler() }
    }

    /// Runs `handler` (on the requesting thread) when a stop is requested, so that waits in host
    /// calls can end at once instead of checking in short slices. Runs it at once if a stop was
    /// requested already.
    public func onStop(_ handler: @escaping @Sendable () -> Void) {
        let already = stopHandlers.withLock { handlers in
            handlers.append(handler)
            return stopFlag.load(ordering: .acquiring)
        }
        if already { handler() }
    }

    /// Sleeps for `duration` (cut to the deadline) unless a stop is requested first, without
    /// waking up in between. Returns false when the sleep ended early because of a stop or the
    /// deadline.
    @discardableResult
    public func sleep(for duration: Duration) -> Bool {
        if isStopRequested { return false }
        var wanted = duration
        var cutByDeadline = false
        if let left = remainingTime(), left < wanted {
            wanted = left
            cutByDeadline = true
        }
        let nanos = max(0, wanted.nanoseconds)
        if stopSignal.wait(timeout: .now() + .nanoseconds(Int(clamping: nanos))) == .success {
            stopSignal.signal()
            return false
        }
        return !cutByDeadline
    }

    /// Whether a stop was requested (or the deadline passed).
    public var isStopRequested: Bool {
        if stopFlag.load(ordering: .acquiring) { return true }
        if let deadline, ContinuousClock.now >= deadline { return true }
        return false
    }

    /// Time left before the deadline (nil when there is none; zero once passed).
    public func remainingTime() -> Duration? {
        guard let deadline else { return nil }
        let left = deadline - ContinuousClock.now
        return left > .zero ? left : .zero
    }

    /// Records that a limit refused a request (for example `memory.grow` returned -1), so that a
    /// trap that follows can be reported as the limit it really was.
    public func noteDenial(_ kind: LimitKind, detail: String) {
        denial.withLock { $0 = (kind, detail) }
    }

    /// The last limit that refused a request, if any.
    public var lastDenial: (kind: LimitKind, detail: String)? {
        denial.withLock { $0.map { (kind: $0.0, detail: $0.1) } }
    }

    /// Total time this instance was paused to keep to its CPU share.
    public var throttledTime: Duration { .nanoseconds(Int64(throttledNanos.load(ordering: .relaxed))) }

    /// How many checkpoints ran (for tests and diagnostics).
    public var checkpointCount: UInt64 { checkpoints.load(ordering: .relaxed) }

    /// The error that ends the instance if it must stop now, else nil. Cheap; any thread.
    public func pendingStop() -> SandboxError? {
        if stopFlag.load(ordering: .acquiring) {
            return stopRequest.withLock { $0 } ?? .runtime("stopped")
        }
        if let deadline, ContinuousClock.now >= deadline {
            return timeoutError()
        }
        return nil
    }

    /// Called by the engine on the instance's thread while guest code runs. Throws the stop
    /// reason when the instance must end; sleeps when it is over its CPU share.
    public func checkpoint() throws(SandboxError) {
        checkpoints.add(1, ordering: .relaxed)
        if let stop = pendingStop() { throw stop }
        if let cpuShare { try keepToShare(cpuShare) }
    }

    private func timeoutError() -> SandboxError {
        .limitExceeded(.timeout, detail: "wall-clock limit of \(Units.formatDuration(timeout ?? .zero)) reached")
    }

    /// Sleeps as long as needed so that CPU time / wall time stays at or below `share`, measured
    /// over windows of about a second (so idle time is not banked for later bursts).
    private func keepToShare(_ share: Double) throws(SandboxError) {
        let now = ContinuousClock.now
        let cpu = cpuClock()
        var sleepFor: Duration = .zero
        throttle.withLock { window in
            guard let current = window else {
                window = ThrottleWindow(wallStart: now, cpuStart: cpu)
                return
            }
            let used = cpu - current.cpuStart
            let elapsed = now - current.wallStart
            let needed = used / share
            if needed > elapsed {
                sleepFor = needed - elapsed
            }
            if elapsed + sleepFor > .seconds(1) {
                window = ThrottleWindow(wallStart: now + sleepFor, cpuStart: cpu)
            }
        }
        guard sleepFor > .milliseconds(1) else { return }
        try pause(for: sleepFor)
    }

    /// Sleeps in short slices so a stop request or the deadline still ends the instance promptly.
    private func pause(for duration: Duration) throws(SandboxError) {
        let start = ContinuousClock.now
        let end = start + duration
        while true {
            if let stop = pendingStop() { throw stop }
            let now = ContinuousClock.now
            if now >= end { break }
            let slice = min(end - now, .milliseconds(20))
            Self.sleep(slice)
        }
        let slept = ContinuousClock.now - start
        throttledNanos.add(UInt64(max(0, slept.nanoseconds)), ordering: .relaxed)
    }

    /// CPU time consumed by the calling thread.
    public static func threadCPUTime() -> Duration {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return .seconds(Int64(spec.tv_sec)) + .nanoseconds(Int64(spec.tv_nsec))
    }

    static func sleep(_ duration: Duration) {
        let nanos = max(0, duration.nanoseconds)
        var request = timespec(tv_sec: Int(nanos / 1_000_000_000), tv_nsec: Int(nanos % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }
}

private struct ThrottleWindow {
    var wallStart: ContinuousClock.Instant
    var cpuStart: Duration
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// The duration in whole nanoseconds (saturating).
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return ns + attoseconds / 1_000_000_000
    }
}
