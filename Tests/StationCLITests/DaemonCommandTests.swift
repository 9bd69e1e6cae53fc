import Foundation
import Testing

/// A real `station daemon` process with its stdout (JSON events) collected.
final class DaemonProcess: @unchecked Sendable {
    let process = Process()
    let stateFolder: URL
    private let output = Pipe()
    private let errors: URL
    private let lock = NSLock()
    private var collected = Data()

    /// `environment` entries are set on top of this process's environment (an empty value removes one).
    init(config: String, state: URL, extraArguments: [String] = ["--json", "--status-port", "0"], environment extra: [String: String] = [:]) throws {
        stateFolder = state
        errors = FileManager.default.temporaryDirectory.appendingPathComponent("station-daemon-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.executableURL = StationBinary.url
        process.arguments = ["daemon", "--config", config] + extraArguments
        process.currentDirectoryURL = StationBinary.packageRoot
        var environment = ProcessInfo.processInfo.environment
        environment["STATE_ROOT"] = state.path
        environment["CACHE_ROOT"] = state.appendingPathComponent("cache").path
        for (name, value) in extra { environment[name] = value.isEmpty ? nil : value }
        process.environment = environment
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardInput = FileHandle.nullDevice
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.collected.append(data) }
        }
        try process.run()
    }

    /// Every complete JSON line printed so far, decoded.
    var events: [[String: Any]] {
        let text = lock.withLock { String(decoding: collected, as: UTF8.self) }
        return text.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    var stdoutText: String { lock.withLock { String(decoding: collected, as: UTF8.self) } }
    var stderrText: String { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }

    /// Activity messages of `module`.
    func messages(of module: String, type: String? = nil) -> [String] {
        events.compactMap { event in
            guard event["module"] as? String == module, let kind = event["type"] as? String, kind.hasPrefix("activity:") else { return nil }
            if let type, kind != type { return nil }
            return event["message"] as? String
        }
    }

    /// The newest per-module job totals.
    var jobTotals: [String: Int] {
        for event in events.reversed() where event["type"] as? String == "jobs-completed" {
            return (event["modules"] as? [String: Int]) ?? [:]
        }
        return [:]
    }

    func waitFor(_ what: String, limit: Duration = .seconds(120), _ condition: () -> Bool) async throws {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            if condition() { return }
            if !process.isRunning {
                Issue.record("the daemon exited (\(process.terminationStatus)) while waiting for \(what); stderr:\n\(stderrText)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("timed out waiting for \(what); stderr:\n\(stderrText)\nstdout tail:\n\(stdoutText.suffix(3000))")
        throw CancellationError()
    }

    /// Sends `signal` and waits for the process to end; returns its status.
    func stop(signal: Int32 = SIGTERM) async throws -> Int32 {
        kill(process.processIdentifier, signal)
        let end = ContinuousClock.now + .seconds(60)
        while process.isRunning && ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(100)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("the daemon did not stop within 60 s of signal \(signal)")
        }
        process.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
        let rest = output.fileHandleForReading.readDataToEndOfFile()
        lock.withLock { collected.append(rest) }
        return process.terminationStatus
    }

    /// Calls the status API with the token from STATE/status.json.
    func statusAPI(_ path: String, token: Bool = true) throws -> (status: Int, body: String) {
        let endpoint = try JSONSerialization.jsonObject(with: Data(contentsOf: stateFolder.appendingPathComponent("status.json"))) as? [String: Any]
        let url = try #require(endpoint?["url"] as? String)
        let secret = try #require(endpoint?["token"] as? String)
        var arguments = ["-s", "-o", "-", "-w", "\n%{http_code}", url + path]
        if token { arguments += ["-H", "Authorization: Bearer \(secret)"] }
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = arguments
        let pipe = Pipe()
        curl.standardOutput = pipe
        try curl.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        let split = text.range(of: "\n", options: .backwards)
        let code = Int(text[(split?.upperBound ?? text.startIndex)...]) ?? 0
        return (code, String(text[..<(split?.lowerBound ?? text.endIndex)]))
    }
}

extension CLI {
@Suite("station daemon")
struct DaemonCommandTests {
    static let fixtures = StationBinary.packageRoot.appendingPathComponent("Tests/StationCLITests/Fixtures/daemon")
    static let examples = StationBinary.packageRoot.appendingPathComponent("examples/daemon")

    /// A temporary folder with a station.toml listing `modules` (name → module.toml text).
    static func writeConfig(_ daemon: String, modules: [(String, String)]) throws -> (config: String, root: URL) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("station-daemon-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var text = daemon + "\n"
        for (name, manifest) in modules {
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try manifest.write(to: folder.appendingPathComponent("module.toml"), atomically: true, encoding: .utf8)
            text += "\n[[module]]\nmanifest = \"\(name)/module.toml\"\n"
        }
        let config = root.appendingPathComponent("station.toml")
        try text.write(to: config, atomically: true, encoding: .utf8)
        return (config.path, root)
    }

    static func cidOf(_ text: String) throws -> String {
        let file = try StationBinary.writeTemporary(text, name: "content.txt")
        let result = try StationBinary.run(["ipfs", "add", "--cid-version", "1", "--only-hash", file])
        let cid = result.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).first { $0.hasPrefix("baf") }
        return try #require(cid.map(String.init), "station ipfs add printed: \(result.stdout) \(result.stderr)")
    }

    @Test("ten modules for a minute: good ones work, hostile ones are stopped or throttled, p2p and IPFS flow between modules")
    func tenModules() async throws {
        let echo = try StationExamples.path("p2p-echo")
        let ping = try StationExamples.path("p2p-ping")
        let put = try StationExamples.path("ipfs-put")
        let get = try StationExamples.path("ipfs-get")
        let port = Int.random(in: 30_000..<60_000)
        let text = "shared through the daemon's block store"
        let cid = try Self.cidOf(text)
        let ticker = Self.examples.appendingPathComponent("modules/ticker/ticker.wat").path
        let publisher = Self.examples.appendingPathComponent("modules/publisher/publisher.wat").path
        func fixture(_ name: String) -> String { Self.fixtures.appendingPathComponent("\(name).wat").path }
        let (config, root) = try Self.writeConfig("""
            [daemon]
            engine = "auto"
            [budget]
            memory = "1GiB"
            cpu = 150
            [p2p]
            listen = ["/ip4/127.0.0.1/tcp/\(port)"]
            [supervisor]
            initial-backoff = "200ms"
            max-backoff = "2s"
            max-failures = 4
            """, modules: [
            ("ticker", "name = \"ticker\"\nversion = \"1.0.0\"\nwasm = \"\(ticker)\"\nargs = [\"300\"]\n[grants]\nkv = true\n"),
            ("publisher", "name = \"publisher\"\nversion = \"1.0.0\"\nwasm = \"\(publisher)\"\nargs = [\"500\"]\n[grants]\nipfs = true\n"),
            ("echo", "name = \"echo\"\nversion = \"1.0.0\"\nwasm = \"\(echo)\"\nargs = [\"/station-test/echo/1.0.0\"]\n[grants]\np2p = [\"/station-test/echo/1.0.0\"]\n"),
            ("ping", "name = \"ping\"\nversion = \"1.0.0\"\nwasm = \"\(ping)\"\nargs = [\"/ip4/127.0.0.1/tcp/\(port)\", \"/station-test/echo/1.0.0\", \"300\"]\n[grants]\np2p = [\"/station-test/echo/1.0.0\"]\np2p-local = true\n"),
            ("putter", "name = \"putter\"\nversion = \"1.0.0\"\nwasm = \"\(put)\"\nargs = [\"\(text)\"]\n[grants]\nipfs = true\n"),
            ("getter", "name = \"getter\"\nversion = \"1.0.0\"\nwasm = \"\(get)\"\nargs = [\"\(cid)\", \"\(text)\", \"500\"]\n[grants]\nipfs = true\n"),
            ("spin", "name = \"spin\"\nversion = \"1.0.0\"\nwasm = \"\(fixture("spin"))\"\n[limits]\ncpu = 10\nhang-after = \"5s\"\n"),
            ("grow", "name = \"grow\"\nversion = \"1.0.0\"\nwasm = \"\(fixture("grow"))\"\n[limits]\nmemory = \"16MiB\"\n"),
            ("trap", "name = \"trap\"\nversion = \"1.0.0\"\nwasm = \"\(fixture("trap"))\"\n"),
            ("flood", "name = \"flood\"\nversion = \"1.0.0\"\nwasm = \"\(fixture("flood"))\"\n[limits]\nactivity-per-second = 2\nactivity-burst = 5\n"),
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let daemon = try DaemonProcess(config: config, state: root.appendingPathComponent("state"))
        try await daemon.waitFor("activity:started") { daemon.events.first?["type"] as? String == "activity:started" }
        try await daemon.waitFor("the status endpoint") { FileManager.default.fileExists(atPath: daemon.stateFolder.appendingPathComponent("status.json").path) }

        // The status API while it runs.
        let unauthorised = try daemon.statusAPI("/api/v1/status", token: false)
        #expect(unauthorised.status == 401)

        try await Task.sleep(for: .seconds(60))

        let status = try daemon.statusAPI("/api/v1/status")
        #expect(status.status == 200)
        for name in ["ticker", "publisher", "echo", "ping", "putter", "getter", "spin", "grow", "trap", "flood"] {
            #expect(status.body.contains("\"\(name)\""), "status lacks \(name)")
        }
        let metrics = try daemon.statusAPI("/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("station_module_jobs_total{module=\"ticker\"}"))

        // Well-behaved modules kept working and reporting.
        let totals = daemon.jobTotals
        #expect((totals["ticker"] ?? 0) >= 20, "ticker jobs: \(totals)")
        #expect((totals["publisher"] ?? 0) >= 10, "publisher jobs: \(totals)")
        #expect(daemon.messages(of: "ticker").contains { $0.hasPrefix("tick ") })
        // p2p between two modules through the shared node.
        #expect((totals["ping"] ?? 0) >= 10, "ping jobs: \(totals); ping said \(daemon.messages(of: "ping").suffix(5))")
        #expect((totals["echo"] ?? 0) >= 10, "echo jobs: \(totals)")
        // IPFS between two modules through the shared block store.
        #expect((totals["getter"] ?? 0) >= 10, "getter jobs: \(totals); getter said \(daemon.messages(of: "getter").suffix(5))")
        #expect(daemon.messages(of: "putter").contains { $0.contains(cid) })

        // Hostile modules were stopped or throttled, with events naming the limit.
        #expect(daemon.messages(of: "spin").contains { $0.contains("limit: cpu") })
        #expect(daemon.messages(of: "spin").contains { $0.contains("limit: hang-after") })
        #expect(daemon.messages(of: "grow", type: "activity:error").contains { $0.contains("limit hit: memory") })
        #expect(daemon.messages(of: "trap", type: "activity:error").contains { $0.hasPrefix("parked:") })
        let flood = daemon.messages(of: "flood").count
        #expect(flood > 0 && flood < 5 + 2 * 70 + 20, "flood reported \(flood) messages")

        let exit = try await daemon.stop()
        #expect(exit == 0, "stderr: \(daemon.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: daemon.stateFolder.appendingPathComponent("status.json").path))
        #expect(daemon.messages(of: "station").contains { $0.contains("stopping") })
    }

    @Test("every configuration problem is reported at once with file and line; exit status 78")
    func configurationProblems() throws {
        let (config, root) = try Self.writeConfig("""
            [budget]
            memory = "lots"
            [supervisor]
            max-backof = "5m"
            """, modules: [
            ("a", "name = \"a\"\nversion = \"1\"\nwasm = \"missing.wasm\"\n"),
            ("b", "name = \"b b\"\nversion = \"1\"\nwasm = \"x.wat\"\n[grants]\nnet = [\"ftp://nope\"]\n"),
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try StationBinary.run(["daemon", "--config", config])
        #expect(result.status == 78)
        #expect(result.stderr.contains("station.toml:2:"), "\(result.stderr)")
        #expect(result.stderr.contains("station.toml:4:"), "\(result.stderr)")
        #expect(result.stderr.contains("max-backoff"), "\(result.stderr)")
        #expect(result.stderr.contains("a/module.toml:3:"), "\(result.stderr)")
        #expect(result.stderr.contains("b/module.toml:1:"), "\(result.stderr)")
        #expect(result.stderr.contains("b/module.toml:5:"), "\(result.stderr)")
    }

    /// `--check` applies the module loader's own file rules, so it refuses what every start would:
    /// a FIFO (which used to block the loader) and a component instead of a core module.
    @Test("--check refuses module files the loader would refuse, on the wasm line")
    func checkRefusesUnloadableModuleFiles() throws {
        let (config, root) = try Self.writeConfig("", modules: [
            ("pipe", "name = \"pipe\"\nversion = \"1\"\nwasm = \"pipe.wasm\"\n"),
            ("component", "name = \"component\"\nversion = \"1\"\nwasm = \"c.wasm\"\n"),
            ("good", "name = \"good\"\nversion = \"1\"\nwasm = \"g.wasm\"\n"),
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(mkfifo(root.appendingPathComponent("pipe/pipe.wasm").path, 0o600) == 0)
        // A component's header: the magic, then version 0x0d and layer 1.
        try Data([0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00]).write(to: root.appendingPathComponent("component/c.wasm"))
        try Data([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]).write(to: root.appendingPathComponent("good/g.wasm"))
        let result = try StationBinary.run(["daemon", "--config", config, "--check"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("pipe/module.toml:3:"), "\(result.stderr)")
        #expect(result.stderr.contains("FIFO"), "\(result.stderr)")
        #expect(result.stderr.contains("component/module.toml:3:"), "\(result.stderr)")
        #expect(result.stderr.contains("component"), "\(result.stderr)")
        #expect(!result.stderr.contains("good/module.toml"), "\(result.stderr)")
    }

    @Test("the bundled example checks out and runs from the repository root")
    func bundledExample() async throws {
        let check = try StationBinary.run(["daemon", "--config", "examples/daemon/station.toml", "--check"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("ticker"))
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("station-example-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        let daemon = try DaemonProcess(config: "examples/daemon/station.toml", state: state)
        try await daemon.waitFor("a ticker job") { (daemon.jobTotals["ticker"] ?? 0) >= 2 }
        #expect(try await daemon.stop(signal: SIGINT) == 0)
    }

    @Test("station module status, restart and update reach the running daemon; update fetches the new code from a gateway")
    func moduleCommands() async throws {
        // New code for the module, served by a real trustless gateway (`station ipfs serve`).
        let repo = FileManager.default.temporaryDirectory.appendingPathComponent("station-gateway-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: repo) }
        let next = try StationBinary.writeTemporary("""
            (module
              (import "station" "activity" (func $activity (param i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 0) "version two")
              (func (export "_start")
                (i32.store (i32.const 1040) (i32.const 1))
                (i64.store (i32.const 1048) (i64.const 200000000))
                (loop $again
                  (drop (call $activity (i32.const 0) (i32.const 0) (i32.const 11)))
                  (drop (call $poll_oneoff (i32.const 1024) (i32.const 1088) (i32.const 1) (i32.const 1120)))
                  (br $again))))
            """, name: "v2.wat")
        let added = try StationBinary.run(["ipfs", "add", "--cid-version", "1", "--repo", repo.path, next])
        #expect(added.status == 0, "\(added.stderr)")
        let cid = try #require(added.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).first { $0.hasPrefix("baf") }.map(String.init))
        let port = Int.random(in: 30_000..<60_000)
        let gateway = Process()
        gateway.executableURL = StationBinary.url
        gateway.arguments = ["ipfs", "serve", "--repo", repo.path, "--listen", "127.0.0.1:\(port)", "--no-bitswap"]
        gateway.standardOutput = FileHandle.nullDevice
        gateway.standardError = FileHandle.nullDevice
        try gateway.run()
        defer { gateway.terminate(); gateway.waitUntilExit() }

        let ticker = Self.examples.appendingPathComponent("modules/ticker/ticker.wat").path
        let (config, root) = try Self.writeConfig("[ipfs]\ngateways = [\"http://127.0.0.1:\(port)\"]", modules: [
            ("swap", "name = \"swap\"\nversion = \"1.0.0\"\nwasm = \"\(ticker)\"\nargs = [\"300\"]\n[grants]\nkv = true\n"),
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let state = root.appendingPathComponent("state")
        let daemon = try DaemonProcess(config: config, state: state)
        try await daemon.waitFor("the first tick") { daemon.messages(of: "swap").contains { $0.hasPrefix("tick") } }
        try await daemon.waitFor("the status endpoint") { FileManager.default.fileExists(atPath: state.appendingPathComponent("status.json").path) }

        let status = try StationBinary.run(["module", "status", "--state", state.path])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("swap 1.0.0: running"), "\(status.stdout)")

        let restart = try StationBinary.run(["module", "restart", "swap", "--state", state.path])
        #expect(restart.status == 0, "\(restart.stderr)")
        let unknown = try StationBinary.run(["module", "restart", "nobody", "--state", state.path])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("nobody"), "\(unknown.stderr)")

        let update = try StationBinary.run(["module", "update", "swap", cid, "--state", state.path])
        #expect(update.status == 0, "\(update.stderr)")
        #expect(update.stdout.contains(cid))
        try await daemon.waitFor("the new code") { daemon.messages(of: "swap").contains("version two") }
        let after = try StationBinary.run(["module", "status", "--state", state.path])
        #expect(after.stdout.contains("swap 1.0.0+update: running"), "\(after.stdout)")
        #expect(try await daemon.stop(signal: SIGINT) == 0)

        let gone = try StationBinary.run(["module", "status", "--state", state.path])
        #expect(gone.status == 1)
        #expect(gone.stderr.contains("no running daemon"), "\(gone.stderr)")
    }

    @Test("the dashboard of a real daemon renders its modules and activity in headless Chromium")
    func dashboardInChromium() async throws {
        let chromium = "/usr/bin/chromium"
        guard FileManager.default.isExecutableFile(atPath: chromium) else {
            Issue.record("\(chromium) is missing: run bash scripts/install-extras")
            return
        }
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("station-dashboard-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        let daemon = try DaemonProcess(config: "examples/daemon/station.toml", state: state)
        try await daemon.waitFor("two ticks") { (daemon.jobTotals["ticker"] ?? 0) >= 2 }
        let endpoint = try JSONSerialization.jsonObject(with: Data(contentsOf: state.appendingPathComponent("status.json"))) as? [String: Any]
        let url = try #require(endpoint?["url"] as? String)
        let token = try #require(endpoint?["token"] as? String)
        let profile = state.appendingPathComponent("chromium-profile")
        let browser = Process()
        browser.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        browser.arguments = ["60", chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             "--disable-background-networking", "--disable-dev-shm-usage", "--user-data-dir=\(profile.path)",
                             "--virtual-time-budget=5000", "--dump-dom", "\(url)/#token=\(token)"]
        let output = Pipe()
        browser.standardOutput = output
        browser.standardError = FileHandle.nullDevice
        try browser.run()
        let dom = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        browser.waitUntilExit()
        #expect(try await daemon.stop() == 0)
        #expect(browser.terminationStatus == 0)
        // Only what the page rendered counts: drop the inline script, which names states itself.
        var rendered = dom
        while let open = rendered.range(of: "<script"), let close = rendered.range(of: "</script>", range: open.upperBound..<rendered.endIndex) {
            rendered.removeSubrange(open.lowerBound..<close.upperBound)
        }
        for text in ["ticker", "publisher", "greeter", "running", "tick "] {
            #expect(rendered.contains(text), "the rendered dashboard lacks '\(text)'")
        }
    }

    @Test("kill -9 loses no stored data: the ticker's counter carries on after a restart")
    func killNine() async throws {
        let ticker = Self.examples.appendingPathComponent("modules/ticker/ticker.wat").path
        let (config, root) = try Self.writeConfig("[status]\nenabled = false", modules: [
            ("ticker", "name = \"ticker\"\nversion = \"1.0.0\"\nwasm = \"\(ticker)\"\nargs = [\"250\"]\n[grants]\nkv = true\n"),
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let state = root.appendingPathComponent("state")
        let first = try DaemonProcess(config: config, state: state, extraArguments: ["--json"])
        try await first.waitFor("five ticks") { first.messages(of: "ticker").contains("tick 5") }
        _ = try await first.stop(signal: SIGKILL)
        let ticks = first.messages(of: "ticker").compactMap { Int($0.dropFirst("tick ".count)) }
        let last = try #require(ticks.max())

        let second = try DaemonProcess(config: config, state: state, extraArguments: ["--json"])
        try await second.waitFor("a tick after the restart") { second.messages(of: "ticker").contains { $0.hasPrefix("tick ") } }
        #expect(try await second.stop() == 0)
        let resumed = try #require(second.messages(of: "ticker").compactMap { Int($0.dropFirst("tick ".count)) }.min())
        // The module stores its count before it reports it, so nothing it reported is lost.
        #expect(resumed > last, "resumed at \(resumed) after reporting \(last)")
        let printedBefore = first.jobTotals["ticker"] ?? 0
        #expect((second.jobTotals["ticker"] ?? 0) >= printedBefore)
    }
}
}
