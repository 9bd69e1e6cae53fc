import Foundation
import StationTestSupport
import Testing
@testable import StationStatus

/// Runs headless Chromium once (own temporary profile), killed if it outlives 60 s.
/// Returns what it printed on stdout.
func runChromium(_ arguments: [String]) async throws -> String {
    let work = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: work) }
    let stdoutPath = work.appendingPathComponent("stdout")
    let stderrPath = work.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: stdoutPath.path, contents: nil)
    _ = FileManager.default.createFile(atPath: stderrPath.path, contents: nil)
    let stdout = try FileHandle(forWritingTo: stdoutPath)
    let stderr = try FileHandle(forWritingTo: stderrPath)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: DashboardBrowserTests.chromium)
    process.arguments = [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
        "--disable-background-networking", "--disable-dev-shm-usage",
        "--user-data-dir=\(work.appendingPathComponent("profile").path)",
    ] + arguments
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = FileHandle.nullDevice

    try process.run()
    let pid = process.processIdentifier
    // Hang guard: a browser that outlives 60 s is killed (the test then fails on its exit status).
    let guardTask = Task {
        try await Task.sleep(for: .seconds(60))
        print("chromium (pid \(pid)) still running after 60 s: killing it")
        kill(pid, SIGKILL)
    }
    let exited = AsyncStream<Void> { continuation in
        process.terminationHandler = { _ in continuation.yield(); continuation.finish() }
        if !process.isRunning { continuation.yield(); continuation.finish() }
    }
    for await _ in exited { break }
    guardTask.cancel()
    process.waitUntilExit()
    try? stdout.close()
    try? stderr.close()
    let output = (try? String(contentsOf: stdoutPath, encoding: .utf8)) ?? ""
    if process.terminationStatus != 0 {
        let log = (try? String(contentsOf: stderrPath, encoding: .utf8)) ?? ""
        Issue.record("chromium exited with \(process.terminationStatus): \(log.suffix(2000))")
    }
    return output
}

/// The dumped DOM without `<script>` and `<style>` elements, so assertions see only rendered markup
/// (the page's script contains the very messages the tests look for).
func renderedMarkup(_ dom: String) -> String {
    var text = dom
    for tag in ["script", "style"] {
        while let open = text.range(of: "<\(tag)"), let close = text.range(of: "</\(tag)>", range: open.upperBound..<text.endIndex) {
            text.removeSubrange(open.lowerBound..<close.upperBound)
        }
    }
    return text
}

@Suite("Dashboard in headless Chromium", .serialized)
struct DashboardBrowserTests {
    static let chromium = "/usr/bin/chromium"
    static var available: Bool {
        let present = FileManager.default.isExecutableFile(atPath: chromium)
        if !present {
            print("⚠️ SKIPPING dashboard browser tests: \(chromium) is not installed (apt-get install chromium; scripts/install-extras installs it)")
        }
        return present
    }

    /// A provider with the realistic fixture plus a module whose name and messages try to inject markup.
    static func provider() -> FixedProvider {
        let hostile = ModuleSnapshot(
            name: "<img src=x id=pwned-name>", version: "0.0.1", source: "modules/x.wasm", state: .running,
            reason: nil, memoryLimitBytes: 16 * Fixtures.mib, lastActivity: "<script id=pwned-activity>alert(1)</script>"
        )
        var activity = Fixtures.activity(count: 12)
        activity.append(ActivityEntry(time: Fixtures.now, module: "<b id=pwned-module>x</b>", level: "error", message: "<iframe id=pwned-message></iframe> hostile message"))
        return FixedProvider(snapshot: Fixtures.snapshot(extraModules: [hostile]), activity: activity)
    }

    @Test("the page shows modules, states and activity, and escapes module text", .enabled(if: available))
    func rendersData() async throws {
        try await withServer(provider: Self.provider()) { port, token async throws in
            let dom = renderedMarkup(try await runChromium(["--virtual-time-budget=5000", "--dump-dom", "http://127.0.0.1:\(port)/#token=\(token)"]))
            #expect(dom.contains("<tbody id=\"modules\">"), "no dashboard in: \(dom.prefix(300))")
            #expect(!dom.contains("<script") && !dom.contains("TOKEN_HELP"))
            for module in Fixtures.snapshot().modules {
                #expect(dom.contains(">\(module.name)<"), "module \(module.name) missing")
                #expect(dom.contains("class=\"state \(module.state.rawValue)\">\(module.state.rawValue)<"), "state of \(module.name) missing")
            }
            #expect(dom.contains("trap: out of bounds memory access (restart 7, next start in 40 s)"))
            #expect(dom.contains("<li class=\"error\">"))
            #expect(dom.contains("exceeded its memory limit (64 MiB) 5 times in a row"))
            #expect(dom.contains("38 MiB / 64 MiB"))
            #expect(dom.contains("12D3KooWQmW5dPXtBvX8kGyoP5zJ1xhZr3Wx2bM1q7hTjKcYpN4e"))
            #expect(dom.contains(">20584<") || dom.contains(">20,584<"))
            #expect(dom.contains("Restart"))
            // Hostile text shows up as text, never as elements.
            #expect(dom.contains("&lt;img src=x id=pwned-name&gt;"))
            #expect(dom.contains("&lt;iframe id=pwned-message&gt;&lt;/iframe&gt; hostile message"))
            for id in ["pwned-name", "pwned-activity", "pwned-module", "pwned-message"] {
                #expect(!dom.contains("id=\"\(id)\""), "\(id) became an element")
            }
            #expect(!dom.contains("The access token was refused"))
            // The content-routing box, with the fixture's figures.
            #expect(dom.contains("<div class=\"card wide\" id=\"routing\"><div class=\"label\">Content routing</div>"))
            #expect(dom.contains("143 peers in the routing table"))
            #expect(dom.contains("lookups 2,210 (12 failed) · providers found 5,412"))
            #expect(dom.contains("DHT requests 19,822 · delegated requests 1,480 · provider announcements 31"))
            #expect(dom.contains("DHT server: 4,077 requests answered (9 refused) · 118 provider records held for others"))
        }
    }

    @Test("a DHT client that has served nobody shows no DHT server line", .enabled(if: available))
    func noServerLine() async throws {
        let client = RoutingSnapshot(routingTableSize: 20, lookups: 3, dhtRequests: 41)
        let provider = FixedProvider(snapshot: Fixtures.snapshot(routing: client), activity: Fixtures.activity(count: 3))
        try await withServer(provider: provider) { port, token async throws in
            let dom = renderedMarkup(try await runChromium(["--virtual-time-budget=5000", "--dump-dom", "http://127.0.0.1:\(port)/#token=\(token)"]))
            #expect(dom.contains("20 peers in the routing table"), "the page did not render: \(dom.prefix(300))")
            #expect(dom.contains("DHT requests 41 · delegated requests 0 · provider announcements 0"))
            #expect(!dom.contains("DHT server:"))
        }
    }

    @Test("without routing figures there is no content-routing box", .enabled(if: available))
    func noRoutingBox() async throws {
        let provider = FixedProvider(snapshot: Fixtures.snapshot(routing: nil), activity: Fixtures.activity(count: 3))
        try await withServer(provider: provider) { port, token async throws in
            let dom = renderedMarkup(try await runChromium(["--virtual-time-budget=5000", "--dump-dom", "http://127.0.0.1:\(port)/#token=\(token)"]))
            #expect(dom.contains(">weather-probe<"), "the page did not render: \(dom.prefix(300))")
            #expect(!dom.contains("id=\"routing\""))
            #expect(!dom.contains("Content routing"))
        }
    }

    @Test("a wrong or missing token shows where to find the right one", .enabled(if: available))
    func tokenMessage() async throws {
        try await withServer(provider: Self.provider()) { port, _ async throws in
            let wrong = renderedMarkup(try await runChromium(["--virtual-time-budget=5000", "--dump-dom", "http://127.0.0.1:\(port)/#token=not-the-token"]))
            #expect(wrong.contains("The access token was refused."))
            #expect(wrong.contains("the token is in STATE/status.json"))
            #expect(!wrong.contains("weather-probe"))

            let none = renderedMarkup(try await runChromium(["--virtual-time-budget=5000", "--dump-dom", "http://127.0.0.1:\(port)/"]))
            #expect(none.contains("No access token in this link."))
            #expect(none.contains("the token is in STATE/status.json"))
            #expect(!none.contains("weather-probe"))
        }
    }

    /// Runs `scripts/dashboard-screenshot` (which the lead uses on the real daemon) against the
    /// fixture, reaching it through a status.json like the daemon writes. Also produces
    /// docs/dashboard.png when STATION_DASHBOARD_SCREENSHOT names an output path.
    @Test("scripts/dashboard-screenshot captures the dashboard as a PNG", .enabled(if: available))
    func screenshot() async throws {
        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/dashboard-screenshot")
        let provider = FixedProvider(snapshot: Fixtures.snapshot(), activity: Fixtures.activity(count: 12))
        try await withServer(provider: provider) { port, token async throws in
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let endpointFile = folder.appendingPathComponent("status.json")
            try StatusEndpointFile(path: endpointFile).write(StatusEndpoint(url: "http://127.0.0.1:\(port)", token: token))
            let png = folder.appendingPathComponent("dashboard.png")

            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [script.path, endpointFile.path, png.path]
            let exited = AsyncStream<Void> { continuation in
                process.terminationHandler = { _ in continuation.yield(); continuation.finish() }
            }
            try process.run()
            for await _ in exited { break }
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)

            let data = try Data(contentsOf: png)
            #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
            #expect(data.count > 20_000, "a blank page compresses to a few KiB; the dashboard does not")
            if let target = ProcessInfo.processInfo.environment["STATION_DASHBOARD_SCREENSHOT"], !target.isEmpty {
                try? FileManager.default.removeItem(atPath: target)
                try data.write(to: URL(fileURLWithPath: target))
                print("wrote \(target)")
            }
        }
    }
}
