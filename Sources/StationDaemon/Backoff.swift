import SandboxEngine
import StationConfig

/// How long a failing module waits before its next start: `initial · 2^(failures-1)`, capped at
/// `max`, then spread by ±`jitter` so that modules failing together do not restart together.
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration
    /// Fraction in [0, 1].
    public var jitter: Double

    public init(initial: Duration, maximum: Duration, jitter: Double) {
        self.initial = initial
        self.maximum = max(initial, maximum)
        self.jitter = min(max(jitter, 0), 1)
    }

    public init(_ settings: SupervisorSettings) {
        self.init(initial: settings.initialBackoff, maximum: settings.maxBackoff, jitter: settings.jitter)
    }

    /// The wait before the start that follows failure number `failures` (1 for the first).
    /// - Parameter random: a value in [0, 1) (tests pass fixed ones).
    public func delay(afterFailures failures: Int, random: Double = Double.random(in: 0..<1)) -> Duration {
        let exponent = min(max(failures - 1, 0), 40)
        let base = initial.inSeconds * Double(UInt64(1) << UInt64(exponent))
        let capped = min(base, maximum.inSeconds)
        let spread = capped * (1 + jitter * (2 * random - 1))
        return .milliseconds(Int64(max(0, spread) * 1000))
    }
}
