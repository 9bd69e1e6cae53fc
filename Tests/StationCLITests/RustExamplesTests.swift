import Foundation
import StationTestSupport
import Testing

/// The Rust example modules (examples/rust), built by `scripts/build-examples` into
/// `.build-examples/rust-NAME.wasm` together with the C examples.
enum RustExamples {
    /// The module's path. A missing module fails the test with how to get the toolchain: the
    /// tests never skip silently (CI installs the toolchain; build-examples fails there without it).
    static func path(_ name: String) throws -> String {
        let path = try StationExamples.path("rust-\(name)")
        if !FileManager.default.fileExists(atPath: path) {
            Issue.record("\(path) was not built: the Rust guest toolchain is missing; run bash scripts/install-rust-toolchain")
            throw CancellationError()
        }
        return path
    }
}

/// A `station` process running in the background whose standard output is collected line by line
/// (for modules that run until stopped: p2p services, IPFS publishers, pingers).
final class BackgroundStation {
    /// Standard output so far, split into lines; filled by a reader thread.
    private final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        private var partial = ""

        func append(_ chunk: Data) {
            lock.withLock {
                partial += String(decoding: chunk, as: UTF8.self)
                while let newline = partial.firstIndex(of: "\n") {
                    lines.append(String(partial[..<newline]))
                    partial = String(partial[partial.index(after: newline)...])
                }
            }
        }

        var all: [String] { lock.withLock { lines } }
    }

    private let process = Process()
    private let output = Pipe()
    private let collected = Lines()
    private let reader: Thread

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = StationBinary.url
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        for (name, value) in environment { merged[name] = value }
        process.environment = merged
        process.currentDirectoryURL = StationBinary.packageRoot
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let handle = output.fileHandleForReading
        let collected = collected
        reader = Thread {
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                collected.append(chunk)
            }
        }
        try process.run()
        reader.start()
    }

    var lines: [String] { collected.all }

    /// The JSON objects among the lines (`--json` event lines).
    var events: [[String: Any]] {
        lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    /// The messages of activity events of `type` (`activity:info`, `activity:error`).
    func messages(_ type: String = "activity:info") -> [String] {
        events.filter { $0["type"] as? String == type }.compactMap { $0["message"] as? String }
    }

    /// Waits (up to `seconds`, a bound for a broken run, not a measurement) until `condition` holds.
    func waitFor(_ what: String, seconds: Double = 60, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            if !process.isRunning && !condition() {
                Issue.record("station ended (status \(process.terminationStatus)) before \(what); stdout: \(lines.suffix(10))")
                throw CancellationError()
            }
            if Date() > deadline {
                Issue.record("no \(what) within \(Int(seconds)) s; stdout: \(lines.suffix(10))")
                throw CancellationError()
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Ends the process (SIGKILL: a child of the test runner may inherit a blocked SIGTERM).
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// A small task API on loopback for the retrieval checker: `GET /tasks` serves a fixed text,
/// `POST /measurements` appends each body as one line to a file. Real HTTP (Python's http.server).
final class TaskAPIServer {
    let origin: String
    let measurementsFile: URL
    private let process = Process()

    private static let script = """
        import http.server, sys
        tasks, out = open(sys.argv[1], 'rb').read(), sys.argv[2]
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'
            def reply(self, status, body=b''):
                self.send_response(status)
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def do_GET(self):
                self.reply(200, tasks) if self.path == '/tasks' else self.reply(404)
            def do_POST(self):
                if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':
                    data = b''
                    while True:
                        size = int(self.rfile.readline().strip().split(b';')[0], 16)
                        chunk = self.rfile.read(size + 2)[:size]
                        if size == 0: break
                        data += chunk
                else:
                    data = self.rfile.read(int(self.headers.get('Content-Length', '0')))
                if self.path != '/measurements':
                    return self.reply(404)
                with open(out, 'ab') as f: f.write(data + b'\\n')
                self.reply(204)
            def log_message(self, *args): pass
        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    init(tasks: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("station-task-api-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let tasksFile = folder.appendingPathComponent("tasks.txt")
        try tasks.write(to: tasksFile, atomically: true, encoding: .utf8)
        measurementsFile = folder.appendingPathComponent("measurements.jsonl")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", Self.script, tasksFile.path, measurementsFile.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The server prints its port once it is listening.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        origin = "http://127.0.0.1:\(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))"
    }

    /// The measurements posted so far, decoded.
    var measurements: [[String: Any]] {
        let text = (try? String(contentsOf: measurementsFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: measurementsFile.deletingLastPathComponent())
    }
}

/// A fresh state folder, so each station process has its own identity and IPFS repo.
private func stateFolder(_ label: String) throws -> String {
    try temporaryFolder("station-rust-\(label)").path
}

/// Adds `text` to the IPFS repo at `repo` (CIDv1, raw leaves) and returns its CID.
private func addToRepo(_ text: String, repo: String) throws -> String {
    let file = try StationBinary.writeTemporary(text, name: "content.txt")
    let result = try StationBinary.run(["ipfs", "add", "--repo", repo, "--cid-version", "1", file])
    let cid = result.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).first { $0.hasPrefix("baf") }
    return try #require(cid.map(String.init), "station ipfs add printed: \(result.stdout) \(result.stderr)")
}

extension CLI {
@Suite("the Rust SDK's examples through station run", .serialized)
struct RustExamplesTests {
    @Test("hello greets, lists its arguments and knows its module name", arguments: ["wasmkit", "wasmtime"])
    func hello(engine: String) throws {
        let result = try StationBinary.run(["run", "--engine", engine, try RustExamples.path("hello"), "Alice", "Bob"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout == "Hello from Rust on Station!\nargument: Alice\nargument: Bob\nmodule: rust-hello\n")
    }

    @Test("fetch prints the same lines as the C example, in argument order", arguments: ["wasmkit", "wasmtime"])
    func fetchMatchesC(engine: String) throws {
        let server = try LoopbackFileServer(files: ["small": 10, "kib": 1024, "big": 300_000])
        defer { server.stop() }
        let urls = [server.url("small"), server.url("kib"), server.url("missing"), server.url("big"), "http://127.0.0.2:\(server.port)/small"]
        let rust = try StationBinary.run(["run", "--engine", engine, "--allow-net", server.origin, try RustExamples.path("fetch")] + urls)
        let c = try StationBinary.run(["run", "--engine", engine, "--allow-net", server.origin, try StationExamples.path("fetch")] + urls)
        // The last URL is denied (127.0.0.2 is not granted): exit status 1 for both.
        #expect(rust.status == 1, "stderr: \(rust.stderr)")
        let lines = rust.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 5, "stdout: \(rust.stdout)")
        #expect(lines[0] == "\(urls[0]) 200 10")
        #expect(lines[1] == "\(urls[1]) 200 1024")
        #expect(lines[2].hasPrefix("\(urls[2]) 404 "))
        #expect(lines[3] == "\(urls[3]) 200 300000")
        #expect(lines[4].hasPrefix("\(urls[4]) error denied: "), "\(lines[4])")
        #expect(rust.stdout == c.stdout, "C printed: \(c.stdout)")
        #expect(rust.status == c.status)
    }

    @Test("fetch keeps hundreds of requests in flight through one executor", arguments: ["wasmkit", "wasmtime"])
    func fetchMany(engine: String) throws {
        let server = try LoopbackFileServer(files: ["kib": 1024])
        defer { server.stop() }
        let result = try StationBinary.run([
            "run", "--engine", engine, "--allow-net", server.origin, "--max-handles", "4096",
            try RustExamples.path("fetch"), "-q", "-c", "500", "-n", "1000", server.url("kib"),
        ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout == "requests=1000 ok=1000 errors=0 bytes=\(1000 * 1024)\n", "stdout: \(result.stdout)")
    }

    @Test("the kv-counter keeps counting across runs and is denied without a store", arguments: ["wasmkit", "wasmtime"])
    func kvCounter(engine: String) throws {
        let database = try stateFolder("kv") + "/kv.sqlite"
        let wasm = try RustExamples.path("kv-counter")
        for expected in 1...3 {
            let result = try StationBinary.run(["run", "--engine", engine, "--kv", database, wasm])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stdout == "\(expected)\n")
        }
        let many = try StationBinary.run(["run", "--engine", engine, "--kv", database, wasm, "10"])
        #expect(many.stdout == "13\n", "stderr: \(many.stderr)")
        let denied = try StationBinary.run(["run", "--engine", engine, wasm])
        #expect(denied.status == 1)
        #expect(denied.stderr.contains("denied"), "stderr: \(denied.stderr)")
    }

    @Test("p2p-echo serves streams from station p2p request, reporting each as a job", arguments: ["wasmkit", "wasmtime"])
    func p2pEcho(engine: String) throws {
        let port = Int.random(in: 30_000..<60_000)
        let proto = "/station-test/rust-echo/1.0.0"
        let echo = try BackgroundStation([
            "run", "--engine", engine, "--allow-p2p", proto, "--p2p-listen", "/ip4/127.0.0.1/tcp/\(port)", "--json",
            try RustExamples.path("p2p-echo"), proto,
        ], environment: ["STATE_ROOT": try stateFolder("echo")])
        defer { echo.stop() }
        try echo.waitFor("the listening message") { echo.messages().contains { $0.hasPrefix("echo listening on \(proto) as 12D3") } }
        let peer = try #require(echo.messages().first { $0.hasPrefix("echo listening") }?.split(separator: " ").last.map(String.init))
        let address = "/ip4/127.0.0.1/tcp/\(port)/p2p/\(peer)"
        for text in ["hello, Rust echo\n", String(repeating: "0123456789abcdef", count: 20_000)] {
            let result = try StationBinary.run(["p2p", "request", address, proto], stdin: Data(text.utf8), environment: ["STATE_ROOT": try stateFolder("client")])
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stdout == text)
        }
        try echo.waitFor("two echo jobs") { echo.messages().filter { $0.hasPrefix("echoed ") }.count == 2 }
        #expect(echo.messages().contains { $0.hasPrefix("echoed 17 bytes from 12D3") }, "\(echo.messages())")
        #expect(echo.messages().contains { $0.hasPrefix("echoed \(16 * 20_000) bytes from 12D3") }, "\(echo.messages())")
        #expect(echo.messages("activity:error").isEmpty, "\(echo.messages("activity:error"))")
    }

    @Test("p2p-ping gets its pings echoed by a station p2p listen --echo peer", arguments: ["wasmkit", "wasmtime"])
    func p2pPing(engine: String) throws {
        let proto = "/station-test/rust-echo/1.0.0"
        let listener = try BackgroundStation(["p2p", "listen", "--echo", proto, "--state", try stateFolder("listener")])
        defer { listener.stop() }
        try listener.waitFor("the listener's address") { listener.lines.first?.contains("/p2p/") == true }
        let address = try #require(listener.lines.first)
        let ping = try BackgroundStation([
            "run", "--engine", engine, "--allow-p2p", proto, "--p2p-local", "--json",
            try RustExamples.path("p2p-ping"), address, proto, "100",
        ], environment: ["STATE_ROOT": try stateFolder("ping")])
        defer { ping.stop() }
        try ping.waitFor("three echoed pings") { ping.messages().contains("echo ok 3") }
        #expect(ping.messages("activity:error").isEmpty, "\(ping.messages("activity:error"))")
        let jobs = ping.events.filter { $0["type"] as? String == "jobs-completed" }.compactMap { $0["total"] as? Int }
        #expect((jobs.last ?? 0) >= 1)
    }

    @Test("ipfs-put publishes the CID station ipfs add computes; ipfs-get reads it back from the repo", arguments: ["wasmkit", "wasmtime"])
    func ipfsPutGet(engine: String) throws {
        let text = "published by the Rust SDK on \(engine)"
        let expected = try CLI.DaemonCommandTests.cidOf(text)
        let repo = try stateFolder("repo")
        let state = try stateFolder("ipfs")
        let put = try BackgroundStation(["run", "--engine", engine, "--allow-ipfs", "--repo", repo, try RustExamples.path("ipfs-put"), text], environment: ["STATE_ROOT": state])
        try put.waitFor("the CID on stdout") { !put.lines.isEmpty }
        put.stop()
        #expect(put.lines.first == expected)
        let get = try BackgroundStation([
            "run", "--engine", engine, "--allow-ipfs", "--repo", repo, "--json", try RustExamples.path("ipfs-get"), expected, text, "100",
        ], environment: ["STATE_ROOT": state])
        defer { get.stop() }
        try get.waitFor("a verified get") { get.messages().contains("got \(expected) (\(text.utf8.count) bytes) ok") }
        let wrong = try BackgroundStation([
            "run", "--engine", engine, "--allow-ipfs", "--repo", repo, "--json", try RustExamples.path("ipfs-get"), expected, "other text", "100",
        ], environment: ["STATE_ROOT": try stateFolder("ipfs")])
        defer { wrong.stop() }
        try wrong.waitFor("a mismatch") { wrong.messages("activity:error").contains { $0.contains("differs from the expected 10 bytes") } }
    }

    @Test("the retrieval checker fetches tasks, retrieves and verifies each CID, posts measurements, counts jobs", arguments: ["wasmkit", "wasmtime"])
    func retrievalChecker(engine: String) throws {
        let repo = try stateFolder("repo")
        let good = try addToRepo("first retrievable content", repo: repo)
        let other = try addToRepo(String(repeating: "x", count: 300_000), repo: repo)
        let missing = try CLI.DaemonCommandTests.cidOf("never stored anywhere \(UUID())")
        let server = try TaskAPIServer(tasks: """
            # CID SIZE
            \(good) 25
            \(other) 300000

            \(good) 24
            \(missing) 5
            """)
        defer { server.stop() }
        let result = try StationBinary.run([
            "run", "--engine", engine, "--allow-net", server.origin, "--allow-ipfs", "--repo", repo, "--json",
            try RustExamples.path("retrieval-checker"), server.origin, "1",
        ], environment: ["STATE_ROOT": try stateFolder("checker"), "STATION_ID": "station-under-test"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        // With --json, station keeps standard output for event lines and passes the module's own
        // output on through standard error.
        #expect(result.stderr.contains("round 1: tasks=4 ok=2 posted=4\n"), "stderr: \(result.stderr)")
        let events = result.stdout.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
        #expect(events.filter { $0["type"] as? String == "jobs-completed" }.last?["total"] as? Int == 4)

        let measurements = server.measurements
        try #require(measurements.count == 4, "posted: \(measurements)")
        func measurement(_ cid: String, ok: Bool) -> [String: Any]? {
            measurements.first { $0["cid"] as? String == cid && $0["ok"] as? Bool == ok }
        }
        #expect(measurement(good, ok: true)?["bytes"] as? Int == 25)
        #expect(measurement(other, ok: true)?["bytes"] as? Int == 300_000)
        #expect((measurement(good, ok: false)?["error"] as? String)?.contains("too-large") == true, "\(measurements)")
        #expect((measurement(missing, ok: false)?["error"] as? String)?.hasPrefix("not-found") == true, "\(measurements)")
        #expect(measurements.allSatisfy { $0["station_id"] as? String == "station-under-test" && $0["module"] as? String == "rust-retrieval-checker" })
    }

    @Test("the retrieval checker fails with exit status 1 when the task list is unreachable")
    func retrievalCheckerWithoutAPI() throws {
        let server = try TaskAPIServer(tasks: "")
        let origin = server.origin
        server.stop()
        let result = try StationBinary.run([
            "run", "--allow-net", origin, "--allow-ipfs", "--repo", try stateFolder("repo"),
            try RustExamples.path("retrieval-checker"), origin,
        ], environment: ["STATE_ROOT": try stateFolder("checker")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("round 1: io"), "stderr: \(result.stderr)")
    }
}

@Suite("the Rust SDK")
struct RustSDKTests {
    @Test("its unit tests pass natively and its imports match docs/abi.md exactly")
    func unitTestsAndImports() throws {
        let (status, text) = try CLI.runPackageScript("sdk/rust/test")
        #expect(status == 0, "sdk/rust/test failed:\n\(text)")
        #expect(text.contains("imports match docs/abi.md"), "\(text)")
    }
}
}
