/// Parsing and printing of the sizes and durations used in flags and manifests.
public enum Units {
    /// Parses a byte size such as `64MiB`, `64M`, `512k`, `1.5GiB` or `4096`.
    ///
    /// Suffixes are case-insensitive; `K`, `M`, `G`, `T` and their `iB`/`B` forms are all powers of
    /// 1024, as for memory. Throws ``UnitsError`` for anything else.
    public static func parseBytes(_ text: String) throws(UnitsError) -> UInt64 {
        let trimmed = text.trimmingWhitespace()
        let (number, suffix) = splitNumber(trimmed)
        guard let value = Double(number), value >= 0, value.isFinite else { throw .invalidSize(text) }
        let multiplier: Double
        switch suffix.lowercased() {
        case "", "b": multiplier = 1
        case "k", "kb", "kib": multiplier = 1024
        case "m", "mb", "mib": multiplier = 1024 * 1024
        case "g", "gb", "gib": multiplier = 1024 * 1024 * 1024
        case "t", "tb", "tib": multiplier = 1024 * 1024 * 1024 * 1024
        default: throw .invalidSize(text)
        }
        let bytes = (value * multiplier).rounded()
        guard bytes < 1.8e19 else { throw .invalidSize(text) }
        return UInt64(bytes)
    }

    /// Parses a duration such as `10s`, `250ms`, `1.5m`, `2h` or `30` (seconds).
    public static func parseDuration(_ text: String) throws(UnitsError) -> Duration {
        let trimmed = text.trimmingWhitespace()
        let (number, suffix) = splitNumber(trimmed)
        guard let value = Double(number), value >= 0, value.isFinite else { throw .invalidDuration(text) }
        let seconds: Double
        switch suffix.lowercased() {
        case "", "s", "sec": seconds = value
        case "ms": seconds = value / 1000
        case "us", "µs": seconds = value / 1_000_000
        case "m", "min": seconds = value * 60
        case "h": seconds = value * 3600
        default: throw .invalidDuration(text)
        }
        guard seconds < 1e9 else { throw .invalidDuration(text) }
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    /// Formats a byte count the way a person reads it: `64 MiB`, `1.5 GiB`, `4096 bytes`.
    public static func formatBytes(_ bytes: UInt64) -> String {
        let units: [(UInt64, String)] = [(1 << 40, "TiB"), (1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")]
        for (size, name) in units where bytes >= size {
            if bytes % size == 0 { return "\(bytes / size) \(name)" }
            let value = Double(bytes) / Double(size)
            return "\((value * 10).rounded() / 10) \(name)"
        }
        return "\(bytes) bytes"
    }

    /// Formats a duration as `250 ms`, `10 s` or `1.5 s`.
    public static func formatDuration(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let ms = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        if ms < 1000 { return "\(Int(ms.rounded())) ms" }
        let s = ms / 1000
        return s == s.rounded() ? "\(Int(s)) s" : "\((s * 10).rounded() / 10) s"
    }

    private static func splitNumber(_ text: String) -> (Substring, Substring) {
        let index = text.firstIndex { !($0.isNumber || $0 == ".") } ?? text.endIndex
        return (text[..<index], text[index...].drop { $0 == " " })
    }
}

/// A size or duration that could not be read.
public enum UnitsError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidSize(String)
    case invalidDuration(String)

    public var description: String {
        switch self {
        case .invalidSize(let text): "'\(text)' is not a size (examples: 4096, 512KiB, 64MiB, 1GiB)"
        case .invalidDuration(let text): "'\(text)' is not a duration (examples: 250ms, 10s, 5m, 1h)"
        }
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
