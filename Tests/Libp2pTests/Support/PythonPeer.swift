import Foundation
import StationTestSupport
import Testing

/// A py-libp2p peer (`Peers/py_peer.py`) run as a subprocess for interop tests.
///
/// Python is `$STATION_PYTHON` or `<package root>/.venv/bin/python`; when neither exists the
/// test fails with a message telling to run `bash scripts/install-extras`.
final class PythonPeer: @unchecked Sendable {
    let process = Process()
    private let output = Pipe()
    private let errors = Pipe()
    private let input = Pipe()
    private let lines = LineCollector()
    /// Runs after the process was killed (e.g. to delete its data folder).
    var onStop: (@Sendable () -> Void)?

    static let peersFolder = packageRootFolder.appendingPathComponent("Tests/Libp2pTests/Peers")

    /// The Python interpreter (``testPython()``), or a failure explaining how to install it.
    static func python() throws -> URL {
        do {
            return URL(fileURLWithPath: try testPython())
        } catch {
            let venv = packageRootFolder.appendingPathComponent(".venv/bin/python").path
            throw PeerSetupError(description: "py-libp2p is not installed: run `bash scripts/install-extras` (expected \(venv) or $STATION_PYTHON)")
        }
    }

    /// Starts `Peers/<script>` (default `py_peer.py`) with `arguments`.
    init(_ arguments: [String], script: String = "py_peer.py") throws {
        process.executableURL = try Self.python()
        process.arguments = [Self.peersFolder.appendingPathComponent(script).path] + arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONUNBUFFERED"] = "1"
        process.environment = environment
        let collector = lines
        output.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            collector.append(data)
        }
        errors.fileHandleForReading.readabilityHandler = { handle in
            collector.appendError(handle.availableData)
        }
        try process.run()
    }

    /// Waits for the next stdout line (hang guard: `seconds`).
    func nextLine(within seconds: Double = 60) async throws -> String {
        let clock = ContinuousClock()
        let end = clock.now + .seconds(seconds)
        while clock.now < end {
            if let line = lines.popLine() { return line }
            if !process.isRunning, lines.isDrained {
                throw PeerSetupError(description: "python peer exited (\(process.terminationStatus)); stderr: \(lines.errorTail)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw PeerSetupError(description: "no output from python peer within \(seconds)s; stderr: \(lines.errorTail)")
    }

    /// Waits for the next stdout line and decodes it as a JSON object.
    func nextJSON(within seconds: Double = 120) async throws -> [String: Any] {
        let line = try await nextLine(within: seconds)
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw PeerSetupError(description: "python peer printed non-JSON: \(line)")
        }
        return object
    }

    /// Writes one command line to the peer's stdin.
    func send(_ line: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Kills the process and waits for it.
    func stop() {
        output.fileHandleForReading.readabilityHandler = nil
        errors.fileHandleForReading.readabilityHandler = nil
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        onStop?()
        onStop = nil
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

struct PeerSetupError: Error, CustomStringConvertible {
    let description: String
}

/// Splits a byte stream into lines, thread-safely.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var pending = Data()
    private var ready: [String] = []
    private var errorText = Data()

    func append(_ data: Data) {
        lock.lock()
        defer { lock.unlock() }
        pending.append(data)
        while let newline = pending.firstIndex(of: 0x0A) {
            ready.append(String(decoding: pending[pending.startIndex ..< newline], as: UTF8.self))
            pending.removeSubrange(pending.startIndex ... newline)
        }
    }

    func appendError(_ data: Data) {
        lock.lock()
        defer { lock.unlock() }
        errorText.append(data)
        if errorText.count > 64 * 1024 { errorText.removeFirst(errorText.count - 32 * 1024) }
    }

    func popLine() -> String? {
        lock.lock()
        defer { lock.unlock() }
        return ready.isEmpty ? nil : ready.removeFirst()
    }

    var isDrained: Bool {
        lock.lock()
        defer { lock.unlock() }
        return ready.isEmpty
    }

    var errorTail: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: errorText.suffix(2000), as: UTF8.self)
    }
}
