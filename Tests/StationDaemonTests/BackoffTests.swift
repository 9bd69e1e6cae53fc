import StationConfig
import Testing
@testable import StationDaemon

@Suite("Backoff")
struct BackoffTests {
    let backoff = Backoff(initial: .seconds(1), maximum: .seconds(60), jitter: 0.2)

    @Test("doubles per failure without jitter at the midpoint")
    func doubles() {
        #expect(backoff.delay(afterFailures: 1, random: 0.5) == .seconds(1))
        #expect(backoff.delay(afterFailures: 2, random: 0.5) == .seconds(2))
        #expect(backoff.delay(afterFailures: 4, random: 0.5) == .seconds(8))
    }

    @Test("is capped at the maximum, even after very many failures")
    func capped() {
        #expect(backoff.delay(afterFailures: 7, random: 0.5) == .seconds(60))
        #expect(backoff.delay(afterFailures: 10_000, random: 0.5) == .seconds(60))
    }

    @Test("jitter spreads the wait by at most the configured fraction")
    func jitter() {
        #expect(backoff.delay(afterFailures: 3, random: 0) == .milliseconds(3200))
        #expect(backoff.delay(afterFailures: 3, random: 0.999_999) <= .milliseconds(4800))
        #expect(backoff.delay(afterFailures: 3, random: 0.999_999) > .milliseconds(4790))
    }

    @Test("settings with a maximum below the initial wait use the initial wait")
    func inverted() {
        let odd = Backoff(initial: .seconds(5), maximum: .seconds(1), jitter: 0)
        #expect(odd.delay(afterFailures: 3) == .seconds(5))
    }
}
