import Foundation
import Synchronization

/// Something the runtime tells the front end about a module: the JSON lines Station front ends read
/// (design brief §7), or readable lines for people.
public enum StationEvent: Sendable, Hashable {
    /// The runtime started running modules: `{"type":"activity:started","module":null}` (Zinnia's
    /// line, `module` null because the runtime, not a module, reports it).
    case started
    /// A module reported activity (or the runtime reports something about a module).
    case activity(module: String, level: ActivityLevel, message: String)
    /// Job totals: `{"type":"jobs-completed","total":N,"modules":{M:N}}`.
    case jobsCompleted(total: UInt64, modules: [String: UInt64])

    /// The event as one line of JSON (no trailing newline), in the format Station Core reads.
    public var jsonLine: String {
        switch self {
        case .started:
            return #"{"type":"activity:started","module":null}"#
        case .activity(let module, let level, let message):
            return #"{"type":"activity:\#(level.rawValue)","module":\#(JSONText.quote(module)),"message":\#(JSONText.quote(message))}"#
        case .jobsCompleted(let total, let modules):
            let entries = modules.keys.sorted().map { "\(JSONText.quote($0)):\(modules[$0] ?? 0)" }
            return #"{"type":"jobs-completed","total":\#(total),"modules":{\#(entries.joined(separator: ","))}}"#
        }
    }

    /// The event for a person reading a terminal.
    public var readableLine: String {
        switch self {
        case .started:
            return "station: started"
        case .activity(let module, let level, let message):
            return "[\(module)] \(level == .error ? "error: " : "")\(JSONText.printable(message))"
        case .jobsCompleted(let total, let modules):
            if modules.count == 1, let (name, count) = modules.first {
                return "[\(name)] jobs completed: \(count)"
            }
            return "jobs completed: \(total) (" + modules.keys.sorted().map { "\($0): \(modules[$0] ?? 0)" }.joined(separator: ", ") + ")"
        }
    }
}

/// How serious an activity report is.
public enum ActivityLevel: String, Sendable, Hashable, CaseIterable {
    case info
    case error

    /// The ABI value: 0 info, 1 error.
    public init?(abiValue: Int32) {
        switch abiValue {
        case 0: self = .info
        case 1: self = .error
        default: return nil
        }
    }
}

/// Where events go.
public protocol StationEventSink: Sendable {
    func emit(_ event: StationEvent)
}

/// Writes events as JSON lines to a file descriptor (stdout for `--json`).
public final class JSONLinesEventSink: StationEventSink {
    private let handle: Mutex<FileHandle>

    public init(fileDescriptor: Int32 = 1) {
        self.handle = Mutex(FileHandle(fileDescriptor: fileDescriptor, closeOnDealloc: false))
    }

    public func emit(_ event: StationEvent) {
        let line = Data((event.jsonLine + "\n").utf8)
        handle.withLock { try? $0.write(contentsOf: line) }
    }
}

/// Writes events readably to a file descriptor (stderr for `station run`).
public final class ReadableEventSink: StationEventSink {
    private let handle: Mutex<FileHandle>

    public init(fileDescriptor: Int32 = 2) {
        self.handle = Mutex(FileHandle(fileDescriptor: fileDescriptor, closeOnDealloc: false))
    }

    public func emit(_ event: StationEvent) {
        let line = Data((event.readableLine + "\n").utf8)
        handle.withLock { try? $0.write(contentsOf: line) }
    }
}

/// Keeps events in memory (tests, the daemon's activity log).
public final class CollectingEventSink: StationEventSink {
    private let collected = Mutex<[StationEvent]>([])

    public init() {}

    public func emit(_ event: StationEvent) {
        collected.withLock { $0.append(event) }
    }

    /// Everything emitted so far, in order.
    public var events: [StationEvent] { collected.withLock { $0 } }
}

/// Minimal JSON text helpers (string quoting with every control character escaped).
enum JSONText {
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += String(format: "\\u%04x", scalar.value)
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Replaces control characters (terminal escapes from an untrusted module) with `?`.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            (scalar.value < 0x20 && scalar != "\t") || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) ? "?" : scalar
        }))
    }
}
