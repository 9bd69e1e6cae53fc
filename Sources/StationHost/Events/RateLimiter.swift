import Foundation
import Synchronization

/// A token bucket: `burst` events at once, refilled at `perSecond`. Thread-safe.
public final class RateLimiter: Sendable {
    public let burst: Double
    public let perSecond: Double
    private let state: Mutex<(tokens: Double, last: ContinuousClock.Instant)>
    private let clock: @Sendable () -> ContinuousClock.Instant

    public init(burst: Int, perSecond: Double, clock: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.burst = Double(max(1, burst))
        self.perSecond = max(0, perSecond)
        self.clock = clock
        self.state = Mutex((Double(max(1, burst)), clock()))
    }

    /// Takes one token if there is one.
    public func tryAcquire() -> Bool {
        state.withLock { state in
            let now = clock()
            let elapsed = now - state.last
            state.last = now
            state.tokens = min(burst, state.tokens + perSecond * Double(elapsed.nanoseconds) / 1e9)
            guard state.tokens >= 1 else { return false }
            state.tokens -= 1
            return true
        }
    }
}
