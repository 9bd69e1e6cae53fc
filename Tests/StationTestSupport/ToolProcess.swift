import Foundation

/// The checkout this test binary was built from (found from this file's path,
/// Tests/StationTestSupport/ToolProcess.swift).
public let packageRootFolder: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A helper tool a test needs is missing or misbehaved (the message says which and how to get it).
public struct ToolFailure: Error, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The Python the interop peers run under: `$STATION_PYTHON`, else the `.venv` that
/// `scripts/install-extras` makes in the checkout.
public func testPython() throws(ToolFailure) -> String {
    if let configured = ProcessInfo.processInfo.environment["STATION_PYTHON"], !configured.isEmpty {
        return configured
    }
    let path = packageRootFolder.appendingPathComponent(".venv/bin/python").path
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw ToolFailure("no Python at \(path): run `bash scripts/install-extras` (or set STATION_PYTHON)")
    }
    return path
}

/// A Python driver from `Tests/IPFSTests/Tools` (a kubo node, swarm or DHT client) running as a
/// subprocess that answers each command line with one line on stdout. Its stderr is drained so it
/// never blocks on a full pipe; ``stop()`` kills it (the Go runtime inside ignores SIGTERM).
public final class ToolProcess: @unchecked Sendable {
    /// The script's file name, for messages.
    public let name: String
    private let process = Process()
    private let input = Pipe(), output = Pipe(), errors = Pipe()
    /// Bytes read past the last line returned. Unguarded: a test sends its commands one at a time.
    private var pending = Data()

    /// Starts `Tests/IPFSTests/Tools/<script>` with `arguments` under ``testPython()``.
    public init(script: String, arguments: [String]) throws {
        name = script
        let path = packageRootFolder.appendingPathComponent("Tests/IPFSTests/Tools/\(script)").path
        process.executableURL = URL(fileURLWithPath: try testPython())
        process.arguments = [path] + arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        errors.fileHandleForReading.readabilityHandler = { handle in _ = handle.availableData }
    }

    /// The next line the script prints (blocking).
    public func nextLine() throws -> String {
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[pending.startIndex ..< newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex ... newline)
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw ToolFailure("\(name) exited early") }
            pending.append(chunk)
        }
    }

    /// Sends `line` and returns the answer line (blocking).
    public func commandBlocking(_ line: String) throws -> String {
        try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
        return try nextLine()
    }

    /// Sends `line` and returns the answer line, waiting on a Dispatch thread so the cooperative
    /// pool (which runs the tests' own libp2p services) is never blocked.
    public func command(_ line: String) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try self.commandBlocking(line) })
            }
        }
    }

    /// `answer` as a JSON object, or a failure naming the script.
    public func jsonObject(_ answer: String) throws -> [String: Any] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any] else {
            throw ToolFailure("\(name) printed non-JSON: \(answer)")
        }
        return object
    }

    /// Kills the script and waits for it.
    public func stop() {
        errors.fileHandleForReading.readabilityHandler = nil
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
