import NIOCore

extension TimeAmount {
    /// Converts a Swift `Duration` to a NIO `TimeAmount` (saturating; negative becomes zero).
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else {
            self = .zero
            return
        }
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        self = .nanoseconds(overflow ? Int64.max : whole &+ attoseconds / 1_000_000_000)
    }
}
