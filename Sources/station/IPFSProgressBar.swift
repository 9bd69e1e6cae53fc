import Foundation
import Synchronization

/// A one-line progress bar on stderr, drawn only when stderr is a terminal (or when
/// `STATION_PROGRESS=always`), so piped output and logs stay clean. Redraws at most 10 times a second.
final class IPFSProgressBar: Sendable {
    private struct State {
        var lastDraw: ContinuousClock.Instant?
        var done: UInt64 = 0
        var drawn = false
    }

    private let label: String
    private let total: UInt64?
    private let enabled: Bool
    private let state = Mutex(State())

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
        let line: String? = state.withLock { state in
            state.done = bytes
            let now = ContinuousClock.now
            if let lastDraw = state.lastDraw, now - lastDraw < .milliseconds(100) { return nil }
            state.lastDraw = now
            state.drawn = true
            return render(done: bytes)
        }
        if let line { FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8)) }
    }

    /// Draws the final state and ends the line (nothing if the bar was never drawn).
    func finish() {
        guard enabled else { return }
        let line: String? = state.withLock { $0.drawn ? render(done: $0.done) : nil }
        if let line { FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K\n").utf8)) }
    }

    private func render(done: UInt64) -> String {
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
