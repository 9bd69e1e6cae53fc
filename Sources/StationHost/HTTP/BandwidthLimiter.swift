import Foundation
import SandboxEngine

/// A token bucket shared by all requests of one fetcher: response bytes per second, with a burst
/// of one second's worth.
///
/// ``delay(for:)`` takes tokens at once (the balance may go negative) and returns how long the
/// caller must wait before using them, so large chunks are paced correctly and callers queue
/// fairly in the order they asked.
final class BandwidthLimiter: @unchecked Sendable {
    let bytesPerSecond: Int
    private let lock = NSLock()
    private var tokens: Double
    private var lastRefill: ContinuousClock.Instant

    init(bytesPerSecond: Int) {
        self.bytesPerSecond = max(1, bytesPerSecond)
        tokens = Double(self.bytesPerSecond)
        lastRefill = .now
    }

    /// Takes `bytes` tokens; returns the wait before they may be used (zero when available).
    func delay(for bytes: Int, now: ContinuousClock.Instant = .now) -> Duration {
        lock.withLock {
            let rate = Double(bytesPerSecond)
            let elapsed = now - lastRefill
            if elapsed > .zero {
                tokens = min(rate, tokens + elapsed.inSeconds * rate)
                lastRefill = now
            }
            tokens -= Double(bytes)
            guard tokens < 0 else { return .zero }
            return .nanoseconds(Int64((-tokens / rate * 1e9).rounded(.up)))
        }
    }

    /// Takes `bytes` tokens and sleeps as long as needed (cancellable).
    func pace(_ bytes: Int) async throws {
        let wait = delay(for: bytes)
        if wait > .zero { try await Task.sleep(for: wait) }
    }
}
