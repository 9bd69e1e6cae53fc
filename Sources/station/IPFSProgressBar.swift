import Foundation

/// A one-line progress bar on stderr, drawn only when stderr is a terminal (or when
/// `STATION_PROGRESS=always`), so piped output and logs stay clean. Redraws at most 10 times a second.
final class IPFSProgressBar: @unchecked Sendable {
    private let label: String
    private let total: UInt64?
    private let enabled: Bool
    private let lock = NSLock()
    private var lastDraw: ContinuousClock.Instant?
    private var done: UInt64 = 0
    private var drawn = false

    /// Whether bars are drawn in this process: stderr is a TTY, unless `STATION_PROGRESS` says
    /// `always` or `never`.
    static var isEnabled: Bool {
        switch ProcessInfo.processInfo.environment["STATION_PROGRESS"] {
        case "always": return true
        case "never": return false
        default: return isatty(STDERR_FILENO) == 1
        }
    }

    /// A bar for `total` bytes (nil when the size is unknown: only the count is shown).
    init(label: String, total: UInt64?, enabled: Bool = IPFSProgressBar.isEnabled) {
        self.label = label
        self.total = total
        self.enabled = enabled
    }

    /// Records that `bytes` have been transferred so far; redraws if enough time has passed.
    func update(_ bytes: UInt64) {
        guard enabled else { return }
        let line: String? = lock.withLock {
            done = bytes
            let now = ContinuousClock.now
            if let lastDraw, now - lastDraw < .milliseconds(100) { return nil }
            lastDraw = now
            drawn = true
            return render()
        }
        if let line { FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8)) }
    }

    /// Draws the final state and ends the line (nothing if the bar was never drawn).
    func finish() {
        guard enabled else { return }
        let line: String? = lock.withLock { drawn ? render() : nil }
        if let line { FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K\n").utf8)) }
    }

    private func render() -> String {
        let amount = Self.format(done)
        guard let total, total > 0 else { return "\(label) \(amount)" }
        let fraction = min(1, Double(done) / Double(total))
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        return "\(label) [\(bar)] \(Int(fraction * 100))% \(amount) / \(Self.format(total))"
    }

    /// Bytes in B, KiB, MiB or GiB with one decimal.
    static func format(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
