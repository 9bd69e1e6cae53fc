import Foundation
import SandboxEngine
import Synchronization

/// A token bucket shared by all requests of one fetcher: response bytes per second, with a burst
/// of one second's worth.
///
/// ``delay(for:)`` takes tokens at once (the balance may go negative) and returns how long the
/// caller must wait before using them, so large chunks are paced correctly and callers queue
/// fairly in the order they asked.
final class BandwidthLimiter: Sendable {
    let bytesPerSecond: Int
    private let bucket: Mutex<(tokens: Double, lastRefill: ContinuousClock.Instant)>

    init(bytesPerSecond: Int) {
        self.bytesPerSecond = max(1, bytesPerSecond)
        bucket = Mutex((Double(max(1, bytesPerSecond)), .now))
    }

    /// Takes `bytes` tokens; returns the wait before they may be used (zero when available).
    func delay(for bytes: Int, now: ContinuousClock.Instant = .now) -> Duration {
        bucket.withLock { bucket in
            let rate = Double(bytesPerSecond)
            let elapsed = now - bucket.lastRefill
            if elapsed > .zero {
                bucket.tokens = min(rate, bucket.tokens + elapsed.inSeconds * rate)
                bucket.lastRefill = now
            }
            bucket.tokens -= Double(bytes)
            guard bucket.tokens < 0 else { return .zero }
            return .nanoseconds(Int64((-bucket.tokens / rate * 1e9).rounded(.up)))
        }
    }

    /// Takes `bytes` tokens and sleeps as long as needed (cancellable).
    func pace(_ bytes: Int) async throws {
        let wait = delay(for: bytes)
        if wait > .zero { try await Task.sleep(for: wait) }
    }
}
