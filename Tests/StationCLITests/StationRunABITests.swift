import Foundation
import Testing

/// The C example guests, built once per test process by `scripts/build-examples` (it rebuilds
/// only what changed).
enum StationExamples {
    /// nil when the examples built, else why not.
    private static let buildFailure: String? = {
        let build = Process()
        build.executableURL = URL(fileURLWithPath: "/bin/bash")
        build.arguments = [StationBinary.packageRoot.appendingPathComponent("scripts/build-examples").path]
        build.standardOutput = FileHandle.nullDevice
        do {
            try build.run()
        } catch {
            return "cannot run scripts/build-examples: \(error)"
        }
        build.waitUntilExit()
        return build.terminationStatus == 0 ? nil : "the C examples did not build: run bash scripts/install-extras"
    }()

    static func path(_ name: String) throws -> String {
        if let message = buildFailure {
            Issue.record(Comment(rawValue: message))
            throw CancellationError()
        }
        return StationBinary.packageRoot.appendingPathComponent(".build-examples/\(name).wasm").path
    }
}

/// A real HTTP server on loopback (Python's `http.server`) serving files from a temporary folder.
final class LoopbackFileServer {
    let port: Int
    let folder: URL
    private let process: Process

    init(files: [String: Int]) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("station-www-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, size) in files {
            try Data(repeating: UInt8(ascii: "a"), count: size).write(to: folder.appendingPathComponent(name))
        }
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        probe.arguments = ["-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"]
        let pipe = Pipe()
        probe.standardOutput = pipe
        try probe.run()
        probe.waitUntilExit()
        port = Int(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-m", "http.server", "--bind", "127.0.0.1", "--directory", folder.path, String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until it accepts connections.
        for _ in 0..<100 {
            if Self.canConnect(port: port) { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    var origin: String { "http://127.0.0.1:\(port)" }

    func stop() {
        // SIGKILL: a child started from the test runner may inherit a blocked SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }

    private static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

extension CLI {
@Suite("station run with the station ABI", .serialized)
struct StationRunABITests {
    @Test("fetch prints status and body length per URL, in argument order", arguments: ["wasmkit", "wasmtime"])
    func fetch(engine: String) throws {
        let server = try LoopbackFileServer(files: ["small": 10, "kib": 1024, "big": 300_000])
        defer { server.stop() }
        let urls = [server.url("small"), server.url("kib"), server.url("missing"), server.url("big")]
        let result = try StationBinary.run(["run", "--engine", engine, "--allow-net", server.origin, try StationExamples.path("fetch")] + urls)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 4, "stdout: \(result.stdout)")
        #expect(lines[0] == "\(urls[0]) 200 10")
        #expect(lines[1] == "\(urls[1]) 200 1024")
        #expect(lines[2].hasPrefix("\(urls[2]) 404 "))
        #expect(lines[3] == "\(urls[3]) 200 300000")
    }

    @Test("without --allow-net every fetch is denied before any connection")
    func fetchDenied() throws {
        let server = try LoopbackFileServer(files: ["small": 10])
        defer { server.stop() }
        let result = try StationBinary.run(["run", try StationExamples.path("fetch"), server.url("small"), "http://127.0.0.2:\(server.port)/small"])
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(lines.allSatisfy { $0.contains("denied") }, "stdout: \(result.stdout)")
    }

    @Test("two thousand requests in flight, all watched by one poll, all succeed")
    func manyRequests() throws {
        let server = try LoopbackFileServer(files: ["kib": 1024])
        defer { server.stop() }
        let result = try StationBinary.run([
            "run", "--engine", "wasmtime", "--allow-net", server.origin, "--max-handles", "4096",
            try StationExamples.path("fetch"), "-q", "-c", "2000", "-n", "2000", server.url("kib"),
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("requests=2000"), "stdout: \(result.stdout)")
        #expect(result.stdout.contains("ok=2000"), "stdout: \(result.stdout)")
        #expect(result.stdout.contains("errors=0"), "stdout: \(result.stdout)")
        #expect(result.stdout.contains("bytes=\(2000 * 1024)"), "stdout: \(result.stdout)")
    }

    @Test("the kv-counter keeps counting across runs", arguments: ["wasmkit", "wasmtime"])
    func kvCounter(engine: String) throws {
        let database = FileManager.default.temporaryDirectory.appendingPathComponent("station-kv-\(UUID().uuidString)/kv.sqlite").path
        let wasm = try StationExamples.path("kv-counter")
        for expected in 1...3 {
            let result = try StationBinary.run(["run", "--engine", engine, "--kv", database, wasm])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(expected)")
        }
        let denied = try StationBinary.run(["run", "--engine", engine, wasm])
        #expect(denied.status != 0)
    }

    @Test("kill -9 in the middle of puts leaves a consistent store that keeps counting")
    func killedMidPut() throws {
        let database = FileManager.default.temporaryDirectory.appendingPathComponent("station-kv-\(UUID().uuidString)/kv.sqlite").path
        let wasm = try StationExamples.path("kv-counter")
        let process = Process()
        process.executableURL = StationBinary.url
        process.arguments = ["run", "--kv", database, wasm, "100000000"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Kill it once puts are committing (the write-ahead log grows with each), however slow
        // the machine is to start the module.
        let wal = database + "-wal"
        for _ in 0..<400 {
            let size = (try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0
            if size > 64 << 10 { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Thread.sleep(forTimeInterval: 0.3)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)

        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        check.arguments = [database, "PRAGMA integrity_check;"]
        let pipe = Pipe()
        check.standardOutput = pipe
        try check.run()
        check.waitUntilExit()
        #expect(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "ok")

        let first = try StationBinary.run(["run", "--kv", database, wasm])
        let second = try StationBinary.run(["run", "--kv", database, wasm])
        let a = Int(first.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        let b = Int(second.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(a > 1, "the killed run stored nothing: \(first.stdout) \(first.stderr)")
        #expect(b == a + 1)
    }

    @Test("--json prints Station event lines: started, activity, jobs total")
    func jobsJSON() throws {
        let result = try StationBinary.run(["run", "--json", try StationExamples.path("jobs"), "3"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let objects = result.stdout.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
        #expect(objects.count == result.stdout.split(separator: "\n").count, "every stdout line is JSON: \(result.stdout)")
        #expect(objects.first?["type"] as? String == "activity:started")
        #expect(objects.contains { $0["type"] as? String == "activity:info" && $0["module"] as? String == "jobs" })
        let jobs = objects.filter { $0["type"] as? String == "jobs-completed" }
        #expect((jobs.last?["total"] as? Int) == 3)
        #expect(((jobs.last?["modules"] as? [String: Any])?["jobs"] as? Int) == 3)
    }

    @Test("without --json activity is printed readably on stderr")
    func jobsReadable() throws {
        let result = try StationBinary.run(["run", try StationExamples.path("jobs"), "2"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("[jobs]"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("jobs completed: 2"), "stderr: \(result.stderr)")
    }
}

@Suite("the C SDK")
struct CSDKTests {
    @Test("station.h's helpers work and its imports match docs/abi.md exactly")
    func headerMatchesTheABI() throws {
        let (status, text) = try CLI.runPackageScript("sdk/c/test")
        #expect(status == 0, "sdk/c/test failed:\n\(text)")
    }
}

/// Runs a script of this checkout from its root with `interpreter` (bash unless named, found on
/// PATH through env); returns its exit status and its stdout and stderr together.
static func runPackageScript(_ relativePath: String, interpreter: String = "/bin/bash") throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [interpreter, StationBinary.packageRoot.appendingPathComponent(relativePath).path]
    process.currentDirectoryURL = StationBinary.packageRoot
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text)
}
}
