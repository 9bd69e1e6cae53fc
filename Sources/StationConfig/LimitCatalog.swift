import SandboxEngine
import Units

/// One per-module limit: its `[limits]` key, its `station run` option, how its value is written
/// and checked, and what it bounds.
///
/// ``LimitCatalog/all`` is the one home of that knowledge. The config loader reads `[limits]`
/// from it (keys, examples, ranges, "did you mean"), `station run`'s help takes each option's text
/// from it, the tables in `docs/limits.md` and `docs/daemon-config.md` are checked against it
/// (StationDaemonTests), and the defaults shown there are read from the values the runtime uses.
/// Adding a limit means a row here, the field in ``ModuleLimits``, the code that enforces it and
/// its test.
public struct LimitEntry: Sendable {
    /// How a value is written, and which values are allowed.
    public enum Value: Sendable {
        /// A size like `64MiB`; zero allowed or not.
        case bytes(WritableKeyPath<ModuleLimits, UInt64?> & Sendable, allowZero: Bool)
        /// A size that must fit an `Int` (the stack).
        case intBytes(WritableKeyPath<ModuleLimits, Int?> & Sendable)
        /// A duration like `10m`, more than zero.
        case duration(WritableKeyPath<ModuleLimits, Duration?> & Sendable)
        /// A number with its rule in words.
        case number(WritableKeyPath<ModuleLimits, Double?> & Sendable, rule: String, valid: @Sendable (Double) -> Bool)
        /// A whole number in a range.
        case count(WritableKeyPath<ModuleLimits, UInt64?> & Sendable, range: ClosedRange<Int64>)
        /// A whole number in a range, stored as `Int`.
        case intCount(WritableKeyPath<ModuleLimits, Int?> & Sendable, range: ClosedRange<Int64>)
    }

    /// The key in a manifest's `[limits]` table.
    public let key: String
    /// The `station run` option (without dashes), or nil when only the daemon has the limit.
    public let option: String?
    /// An example value, as written in TOML or on the command line.
    public let example: String
    /// What it bounds, in one line (shown in `--help` and the docs).
    public let summary: String
    public let value: Value

    /// The value's type in words, as the daemon-config table shows it.
    public var typeDescription: String {
        switch value {
        case .bytes(_, let allowZero): allowZero ? "size" : "size > 0"
        case .intBytes: "size > 0"
        case .duration: "duration > 0"
        case .number(_, let rule, _): "number, \(rule)"
        case .count(_, let range), .intCount(_, let range):
            range.upperBound == Int64.max || range.upperBound == Int64(Int32.max)
                ? "integer ≥ \(range.lowerBound)" : "integer, \(range.lowerBound) to \(range.upperBound.formatted())"
        }
    }

    /// The option's value name in `--help`.
    public var valueName: String {
        switch value {
        case .bytes, .intBytes: "SIZE"
        case .duration: "DURATION"
        case .number: key == "cpu" ? "PERCENT" : "N"
        case .count, .intCount: "N"
        }
    }

    /// `limits`' value for this entry as people write it (`64 MiB`, `5m`, `25`), or nil if unset.
    public func formatted(_ limits: ModuleLimits) -> String? {
        switch value {
        case .bytes(let path, _): limits[keyPath: path].map(Units.formatBytes)
        case .intBytes(let path): limits[keyPath: path].map { Units.formatBytes(UInt64($0)) }
        case .duration(let path): limits[keyPath: path].map(Units.formatDuration)
        case .number(let path, _, _): limits[keyPath: path].map { $0 == $0.rounded() ? String(Int($0)) : String($0) }
        case .count(let path, _): limits[keyPath: path].map(String.init)
        case .intCount(let path, _): limits[keyPath: path].map(String.init)
        }
    }
}

/// Why a limit's value was refused (command-line options; `[limits]` reports through the loader).
public struct LimitValueError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension LimitEntry {
    /// Reads `text` (as written on the command line: `64MiB`, `10s`, `25`) into `limits`, with
    /// the same rules `[limits]` has.
    public func set(_ text: String, in limits: inout ModuleLimits) throws(LimitValueError) {
        func fail(_ message: String) -> LimitValueError { LimitValueError(description: message) }
        func bytes(allowZero: Bool) throws(LimitValueError) -> UInt64 {
            let value: UInt64
            do { value = try Units.parseBytes(text) } catch { throw fail("\(error)") }
            guard allowZero || value > 0 else { throw fail("must be more than 0") }
            return value
        }
        func integer(_ range: ClosedRange<Int64>) throws(LimitValueError) -> Int64 {
            guard let value = Int64(text), range.contains(value) else {
                throw fail("'\(text)' is not a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
        switch value {
        case .bytes(let path, let allowZero):
            limits[keyPath: path] = try bytes(allowZero: allowZero)
        case .intBytes(let path):
            let value = try bytes(allowZero: false)
            guard value <= UInt64(Int.max) else { throw fail("\(value) bytes is too large") }
            limits[keyPath: path] = Int(value)
        case .duration(let path):
            let duration: Duration
            do { duration = try Units.parseDuration(text) } catch { throw fail("\(error)") }
            guard duration > .zero else { throw fail("must be more than 0") }
            limits[keyPath: path] = duration
        case .number(let path, let rule, let valid):
            guard let number = Double(text), number.isFinite, valid(number) else { throw fail("'\(text)' is out of range (\(rule))") }
            limits[keyPath: path] = number
        case .count(let path, let range):
            limits[keyPath: path] = UInt64(try integer(range))
        case .intCount(let path, let range):
            limits[keyPath: path] = Int(try integer(range))
        }
    }
}

/// Every per-module limit, in the order the docs list them.
public enum LimitCatalog {
    public static let all: [LimitEntry] = [
        LimitEntry(key: "memory", option: "memory", example: "64MiB",
                   summary: "Maximum linear memory; tables are bounded too.",
                   value: .bytes(\.memoryBytes, allowZero: false)),
        LimitEntry(key: "cpu", option: "cpu", example: "10",
                   summary: "Share of one CPU core, in percent. Above it the module is slowed down, not killed.",
                   value: .number(\.cpuPercent, rule: "more than 0, at most 100", valid: { $0 > 0 && $0 <= 100 })),
        LimitEntry(key: "fuel", option: "fuel", example: "1000000",
                   summary: "Fuel budget per run: roughly the number of WebAssembly operators the module may execute.",
                   value: .count(\.fuel, range: 1...Int64.max)),
        LimitEntry(key: "timeout", option: "timeout", example: "10m",
                   summary: "Wall-clock limit of one run.",
                   value: .duration(\.timeout)),
        LimitEntry(key: "stack", option: "stack", example: "1MiB",
                   summary: "Maximum WebAssembly call stack.",
                   value: .intBytes(\.stackBytes)),
        LimitEntry(key: "storage", option: "storage", example: "100MiB",
                   summary: "Storage quota over the module's directories (the daemon's data folder, with files = true; station run's --dir).",
                   value: .bytes(\.storageBytes, allowZero: true)),
        LimitEntry(key: "kv-quota", option: "kv-quota", example: "16MiB",
                   summary: "Key-value store quota.",
                   value: .bytes(\.kvQuotaBytes, allowZero: true)),
        LimitEntry(key: "ipfs-quota", option: "ipfs-quota", example: "100MiB",
                   summary: "Block store quota for the module's pins and puts.",
                   value: .bytes(\.ipfsQuotaBytes, allowZero: true)),
        LimitEntry(key: "net-rate", option: "net-rate", example: "1MiB",
                   summary: "Bandwidth cap over all the module's HTTP responses, bytes per second.",
                   value: .bytes(\.netRateBytes, allowZero: false)),
        LimitEntry(key: "max-response", option: "max-response", example: "64MiB",
                   summary: "Largest HTTP response body the module may receive.",
                   value: .bytes(\.maxResponseBytes, allowZero: false)),
        LimitEntry(key: "max-handles", option: "max-handles", example: "1024",
                   summary: "Most station handles (requests, streams, listeners) open at once.",
                   value: .intCount(\.maxHandles, range: 1...1_000_000)),
        LimitEntry(key: "hang-after", option: nil, example: "2m",
                   summary: "A run executing guest code without calling the host for this long is stopped as hung.",
                   value: .duration(\.hangAfter)),
        LimitEntry(key: "activity-per-second", option: nil, example: "5",
                   summary: "Activity reports per second, sustained.",
                   value: .number(\.activityPerSecond, rule: "more than 0", valid: { $0 > 0 })),
        LimitEntry(key: "activity-burst", option: nil, example: "20",
                   summary: "Activity reports allowed in a burst.",
                   value: .intCount(\.activityBurst, range: 1...Int64(Int32.max))),
    ]

    /// The entry for `key`, or nil.
    public static func entry(_ key: String) -> LimitEntry? { all.first { $0.key == key } }

    /// The help text of `station run`'s option for `key`, with the default it has there.
    public static func help(_ key: String, runDefault: String? = nil) -> String {
        guard let entry = entry(key) else { return key }
        return runDefault.map { "\(entry.summary.dropLast()) (default \($0))." } ?? entry.summary
    }
}
