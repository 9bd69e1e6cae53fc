import Foundation
import Sandbox
import SandboxEngine
import Units

/// The one-line messages `station` prints on stderr.
enum Diagnostics {
    static func report(module: String, _ error: SandboxError) {
        report(module: module, message: "\(error)")
    }

    static func report(module: String, message: String) {
        FileHandle.standardError.write(Data("station: \(module): \(message)\n".utf8))
    }

    /// Seconds with millisecond precision, e.g. `0.081s`.
    static func seconds(_ duration: Duration) -> String {
        String(format: "%.3fs", Double(duration.nanoseconds) / 1e9)
    }

    static func printStats(_ outcome: RunOutcome) {
        var parts = [
            "engine=\(outcome.engine)",
            "wall=\(seconds(outcome.wallTime))",
            "run=\(seconds(outcome.executionTime))",
            "cpu=\(seconds(outcome.cpuTime))",
            "memory=\(Units.formatBytes(UInt64(outcome.memoryBytes)))",
        ]
        if outcome.throttledTime > .zero { parts.append("throttled=\(seconds(outcome.throttledTime))") }
        if let fuel = outcome.fuelUsed { parts.append("fuel=\(fuel)") }
        parts.append("exit=\(outcome.exitStatus)")
        FileHandle.standardError.write(Data("station: stats: \(parts.joined(separator: " "))\n".utf8))
    }
}

/// Turns the first SIGINT/SIGTERM into a stop request; a second one ends the process at once.
final class InterruptHandler: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var count = 0

    var fired: Bool { lock.withLock { count > 0 } }

    /// - Parameter exitImmediately: end the process on the first signal (when the module cannot
    ///   be asked to stop).
    init(exitImmediately: Bool = false, onInterrupt: @escaping @Sendable () -> Void) {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                let n = self.lock.withLock { self.count += 1; return self.count }
                if n > 1 || exitImmediately {
                    FileHandle.standardError.write(Data("station: interrupted\n".utf8))
                    exit(130)
                }
                onInterrupt()
            }
            source.resume()
            sources.append(source)
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
