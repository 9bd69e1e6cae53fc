import Testing
@testable import StationHost

@Suite struct BandwidthLimiterTests {
    @Test func burstThenPacedByRate() {
        let limiter = BandwidthLimiter(bytesPerSecond: 1000)
        let now = ContinuousClock.now
        #expect(limiter.delay(for: 1000, now: now) == .zero)
        #expect(limiter.delay(for: 500, now: now) == .milliseconds(500))
        #expect(limiter.delay(for: 500, now: now) == .seconds(1))
        // Two seconds later the debt of 1000 is repaid and 1000 more tokens are back (capped at the burst).
        #expect(limiter.delay(for: 1000, now: now + .seconds(3)) == .zero)
    }

    @Test func sharedBetweenCallers() {
        let limiter = BandwidthLimiter(bytesPerSecond: 100)
        let now = ContinuousClock.now
        #expect(limiter.delay(for: 100, now: now) == .zero)
        #expect(limiter.delay(for: 50, now: now) == .milliseconds(500))
        #expect(limiter.delay(for: 50, now: now + .milliseconds(500)) == .milliseconds(500))
    }
}
