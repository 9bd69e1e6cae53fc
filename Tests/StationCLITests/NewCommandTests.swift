import Foundation
import Testing

/// Runs a command line through bash in `folder`, the way a newcomer pastes it into a shell.
private func shell(_ line: String, in folder: URL, environment: [String: String] = [:]) throws -> CLIResult {
    let started = try PipedProcess.start(URL(fileURLWithPath: "/bin/bash"), ["-c", line], in: folder, environment: environment)
    let result = PipedProcess.finish(started)
    return CLIResult(status: result.status, stdout: String(decoding: result.stdout, as: UTF8.self), stderr: result.stderr)
}

/// Whether a language's toolchain is here; outside CI a missing one skips with a printed reason,
/// in CI (CI=true, where install-extras installs everything) the test runs and fails.
enum NewCommandToolchains {
    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    static var rust: Bool {
        let present = ["/usr/bin/cargo", "/usr/bin/rustc", "/usr/lib/llvm-14/bin/wasm-ld"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
            && FileManager.default.fileExists(atPath: "/usr/lib/rustlib/wasm32-wasi/lib")
        if present || inCI { return true }
        print("NewCommandTests: the Rust guest toolchain is missing, so `station new --lang rust` is not built; install it with: bash scripts/install-rust-toolchain")
        return false
    }

    static var js: Bool {
        if JSEngines.realEngine != nil || inCI { return true }
        print("NewCommandTests: the station-js engine is missing, so `station new --lang js` is not run; install it with: bash scripts/install-extras")
        return false
    }
}

extension CLI {
@Suite("station new: the module it writes builds and runs with the commands it prints", .serialized)
struct NewCommandTests {
    /// `station new NAME --lang LANG` in a fresh folder, then every printed `$ ` line there, with
    /// `station` replaced by the built binary and the module's origin by a loopback server's. The
    /// run line runs once per engine: the second run must see the first one's key-value count.
    private func newModuleRuns(_ language: String, environment: [String: String] = [:]) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("station-new-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let station = StationBinary.url.path
        let name = "hello-\(language)"

        let created = try shell("'\(station)' new \(name) --lang \(language)", in: folder)
        #expect(created.status == 0, "stderr: \(created.stderr)")
        let commands = created.stdout.split(separator: "\n").filter { $0.hasPrefix("$ ") }.map { String($0.dropFirst(2)) }
        #expect(commands.count == (language == "js" ? 1 : 2), "printed: \(created.stdout)")
        #expect(commands.last?.hasPrefix("station run ") == true)
        let manifest = try String(contentsOf: folder.appendingPathComponent("\(name)/module.toml"), encoding: .utf8)
        #expect(manifest.contains("name = \"\(name)\"") && manifest.contains("kv = true") && manifest.contains("net = [\"http://127.0.0.1:8080\"]"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(name)/README.md").path))

        let server = try LoopbackFileServer(files: ["page": 1234])
        defer { server.stop() }
        let page = server.url("page")
        for command in commands.dropLast() {
            let built = try shell(command, in: folder, environment: environment)
            #expect(built.status == 0, "\(command): \(built.stdout) \(built.stderr)")
        }
        let runLine = try #require(commands.last)
            .replacingOccurrences(of: "http://127.0.0.1:8080/", with: page)
            .replacingOccurrences(of: "http://127.0.0.1:8080", with: server.origin)
        for (run, engine) in ["wasmkit", "wasmtime"].enumerated() {
            let line = "'\(station)' run --engine \(engine) --json" + runLine.dropFirst("station run".count)
            let result = try shell(line, in: folder, environment: environment)
            #expect(result.status == 0, "\(line): \(result.stderr)")
            // With --json the module's own output arrives on stderr, the events on stdout.
            #expect(result.stderr.contains("\(page) 200 1234\nrun \(run + 1)\n"), "\(engine): \(result.stderr)")
            #expect(result.stdout.contains("fetched \(page): status 200, 1234 bytes (run \(run + 1))"), "\(engine): \(result.stdout)")
            #expect(result.stdout.contains("\"jobs-completed\""), "\(engine): \(result.stdout)")
        }
    }

    @Test("C: main.c + build.sh on sdk/c")
    func c() throws {
        try newModuleRuns("c")
    }

    @Test("Rust: a Cargo project on sdk/rust/station", .enabled(if: NewCommandToolchains.rust))
    func rust() throws {
        try newModuleRuns("rust")
    }

    @Test("JavaScript: main.js", .enabled(if: NewCommandToolchains.js))
    func js() throws {
        guard let engine = JSEngines.realEngine else {
            Issue.record("the station-js engine is missing (CI=true): bash scripts/install-extras must build and install it")
            return
        }
        try newModuleRuns("js", environment: ["STATION_JS_ENGINE": engine])
    }

    @Test("the daemon example's Rust module builds and ticks in station daemon next to the WAT ones", .enabled(if: NewCommandToolchains.rust))
    func daemonRustModule() throws {
        let examples = StationBinary.packageRoot.appendingPathComponent("examples/daemon")
        let built = try shell("bash modules/rust-ticker/build.sh", in: examples)
        #expect(built.status == 0, "build.sh: \(built.stdout) \(built.stderr)")
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("station-new-daemon-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: state) }
        let daemon = try BackgroundStation(
            ["daemon", "--config", "examples/daemon/station-rust.toml", "--json", "--no-status"],
            environment: ["STATE_ROOT": state.appendingPathComponent("state").path, "XDG_CACHE_HOME": state.appendingPathComponent("cache").path])
        defer { daemon.stop() }
        try daemon.waitFor("rust-ticker's second tick") {
            daemon.events.contains { $0["module"] as? String == "rust-ticker" && $0["message"] as? String == "tick 2 from rust-ticker" }
        }
        try daemon.waitFor("a jobs-completed event counting rust-ticker's job") {
            daemon.events.contains { (($0["modules"] as? [String: Any])?["rust-ticker"] as? Int ?? 0) >= 1 }
        }
    }

    @Test("bad names and existing folders are refused with a usage error; an empty folder is used")
    func refusals() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("station-new-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("taken"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: folder.appendingPathComponent("taken/file"))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("empty"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let station = StationBinary.url.path
        for bad in ["../escape", "a/b", "1st", "with space", "dots.in.name", "", String(repeating: "a", count: 65)] {
            let result = try shell("'\(station)' new '\(bad)' --lang c", in: folder)
            #expect(result.status == 64, "\(bad): \(result.stdout) \(result.stderr)")
            #expect(result.stderr.hasPrefix("station new: the module name "), "\(bad): \(result.stderr)")
        }
        let reserved = try shell("'\(station)' new station --lang rust", in: folder)
        #expect(reserved.status == 64 && reserved.stderr.contains("Cargo"), "\(reserved.stderr)")
        let taken = try shell("'\(station)' new taken --lang js", in: folder)
        #expect(taken.status == 64 && taken.stderr.contains("already exists"), "\(taken.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("taken").path) == ["file"])
        let empty = try shell("'\(station)' new empty --lang js", in: folder)
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("empty/main.js").path))
        let unknown = try shell("'\(station)' new fine --lang go", in: folder)
        #expect(unknown.status == 64)
    }
}
}
