import Foundation

/// A token bucket: `burst` events at once, refilled at `perSecond`. Thread-safe.
public final class RateLimiter: @unchecked Sendable {
    public let burst: Double
    public let perSecond: Double
    private let lock = NSLock()
    private var tokens: Double
    private var last: ContinuousClock.Instant
    private let clock: @Sendable () -> ContinuousClock.Instant

    public init(burst: Int, perSecond: Double, clock: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.burst = Double(max(1, burst))
        self.perSecond = max(0, perSecond)
        self.clock = clock
        self.tokens = Double(max(1, burst))
        self.last = clock()
    }

    /// Takes one token if there is one.
    public func tryAcquire() -> Bool {
        lock.withLock {
            let now = clock()
            let elapsed = now - last
            last = now
            tokens = min(burst, tokens + perSecond * Double(elapsed.nanoseconds) / 1e9)
            guard tokens >= 1 else { return false }
            tokens -= 1
            return true
        }
    }
}
