import Foundation
import Testing

/// The engines JavaScript modules run on in these tests: a stub guest that prints what station gave
/// it (Fixtures/js-stub.c), and the real station-js engine module.
enum JSEngines {
    /// Where the stub is built, or why it could not be.
    private static let stubBuild: Result<String, StubBuildError> = {
        let root = StationBinary.packageRoot
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("station-js-stub-\(UUID().uuidString)")
        let output = folder.appendingPathComponent("js-stub.wasm")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let clang = Process()
            clang.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            clang.arguments = [
                "clang-19", "--target=wasm32-wasi", "--sysroot=" + root.appendingPathComponent(".build-sysroot/wasm32-wasi").path,
                "-O2", "-Wall", "-o", output.path, root.appendingPathComponent("Tests/StationCLITests/Fixtures/js-stub.c").path,
            ]
            try clang.run()
            clang.waitUntilExit()
            guard clang.terminationStatus == 0 else {
                return .failure(StubBuildError(message: "clang-19 could not build Fixtures/js-stub.c: run bash scripts/install-extras"))
            }
        } catch {
            return .failure(StubBuildError(message: "cannot run clang-19: \(error)"))
        }
        return .success(output.path)
    }()

    struct StubBuildError: Error { var message: String }

    /// The stub engine's path.
    static func stub() throws -> String {
        // scripts/build-examples makes the wasm32-wasi sysroot the stub is compiled against.
        _ = try StationExamples.path("hello")
        switch stubBuild {
        case .success(let path): return path
        case .failure(let error):
            Issue.record(Comment(rawValue: error.message))
            throw CancellationError()
        }
    }

    /// Where the real engine is: installed by scripts/install-extras, or built in .build-js/.
    static let realEngine: String? = {
        let environment = ProcessInfo.processInfo.environment
        let data = environment["XDG_DATA_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        let installed = data + "/station/engines/station-js/station-js.wasm"
        if FileManager.default.fileExists(atPath: installed) { return installed }
        let built = StationBinary.packageRoot.appendingPathComponent(".build-js/station-js.wasm").path
        return FileManager.default.fileExists(atPath: built) ? built : nil
    }()

    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Tests of the real engine run when it is there, and always in CI, where install-extras
    /// installs it (so they fail there rather than pass silently when it is missing).
    static var realEngineOrCI: Bool {
        if realEngine != nil || inCI { return true }
        print("JSModuleTests: the station-js engine is not built, so the tests that need it are skipped; build it with: bash scripts/install-extras")
        return false
    }

    /// The environment that makes station use the real engine.
    static func real() throws -> [String: String] {
        guard let path = realEngine else {
            Issue.record("the station-js engine is missing (CI=true): bash scripts/install-extras must build and install it")
            throw CancellationError()
        }
        return [
            "STATION_JS_ENGINE": path,
            "STATION_WASMTIME_LIB": wasmtimeLibrary,
        ]
    }

    /// The Wasmtime library station would find now, named explicitly so that tests may move
    /// XDG_DATA_HOME (where it is looked up) elsewhere.
    static let wasmtimeLibrary: String = {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["STATION_WASMTIME_LIB"], !explicit.isEmpty { return explicit }
        let data = environment["XDG_DATA_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        return data + "/station/engines/wasmtime-50.0.1/libwasmtime.so"
    }()
}

/// A temporary JavaScript module folder.
struct ScriptFolder {
    let url: URL

    init(_ files: [String: String]) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("station-js-module-\(UUID().uuidString)")
        for (name, text) in files {
            let file = url.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// An engines folder of our own (`XDG_DATA_HOME` for station), holding `engine` as the installed
/// station-js with a manifest that carries `sha256` (the engine's own hash when nil).
struct InstalledEngine {
    let dataHome: URL
    var wasm: URL { dataHome.appendingPathComponent("station/engines/station-js/station-js.wasm") }

    init(copying engine: String, sha256: String? = nil) throws {
        dataHome = FileManager.default.temporaryDirectory.appendingPathComponent("station-js-data-\(UUID().uuidString)")
        let folder = dataHome.appendingPathComponent("station/engines/station-js")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: engine, toPath: folder.appendingPathComponent("station-js.wasm").path)
        let hash = try sha256 ?? Self.sha256(of: engine)
        let manifest = #"{"engine":"station-js","version":"0.1.0","quickjs":"0.17.0.2","sha256":"\#(hash)"}"#
        try manifest.write(to: folder.appendingPathComponent("manifest.json"), atomically: true, encoding: .utf8)
    }

    /// Environment that makes station use this folder (and still find Wasmtime).
    var environment: [String: String] {
        ["XDG_DATA_HOME": dataHome.path, "STATION_JS_ENGINE": "", "STATION_WASMTIME_LIB": JSEngines.wasmtimeLibrary]
    }

    static func sha256(of path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(text.prefix(64))
    }

    func remove() { try? FileManager.default.removeItem(at: dataHome) }
}

extension CLI {
@Suite("JavaScript modules", .serialized)
struct JSModuleTests {
    // MARK: How station runs the engine (the stub engine)

    @Test("station run main.js runs the engine with argv, environment and the module's folder as a read-only /", arguments: ["wasmkit", "wasmtime"])
    func plumbing(engine: String) throws {
        let folder = try ScriptFolder(["main.js": "console.log('hi')\n", "lib/util.js": "export const x = 1\n"])
        defer { folder.remove() }
        let stationID = String(repeating: "ab", count: 44)
        let result = try StationBinary.run(
            ["run", "--engine", engine, "--env", "GREETING=hello", folder.path("main.js"), "one", "two words"],
            environment: [
                "STATION_JS_ENGINE": try JSEngines.stub(), "STATION_WASMTIME_LIB": JSEngines.wasmtimeLibrary,
                "STATION_ID": stationID, "FIL_WALLET_ADDRESS": "f1walletaddress",
            ])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.prefix(4) == ["argv[0]=station-js", "argv[1]=main.js", "argv[2]=one", "argv[3]=two words"], "stdout: \(result.stdout)")
        #expect(lines.contains("env STATION_ID=\(stationID)"))
        #expect(lines.contains("env FIL_WALLET_ADDRESS=f1walletaddress"))
        #expect(lines.contains("env GREETING=hello"))
        #expect(lines.contains("root: lib main.js"), "stdout: \(result.stdout)")
        #expect(lines.contains("entry:console.log('hi')"))
        #expect(lines.contains { $0.hasPrefix("write /: refused") }, "stdout: \(result.stdout)")
        #expect(lines.contains("read /../outside: refused"))
        #expect(!FileManager.default.fileExists(atPath: folder.path("station-js-stub-wrote-this")))
    }

    /// The module's own folder is read-only, so it cannot grow: its files must not count against
    /// the storage quota of the folders it may write (before, a 64 KiB script folder used up a
    /// 16 KiB quota and the write to /data failed with EDQUOT).
    @Test("the read-only module folder does not count against the --storage quota of a writable --dir", arguments: ["wasmkit", "wasmtime"])
    func rootIsNotCharged(engine: String) throws {
        let folder = try ScriptFolder(["main.js": "x\n", "vendor.js": String(repeating: "// padding\n", count: 6000)])
        let data = try ScriptFolder([:])
        defer { folder.remove(); data.remove() }
        try FileManager.default.createDirectory(at: data.url, withIntermediateDirectories: true)
        let result = try StationBinary.run(
            ["run", "--engine", engine, "--storage", "16KiB", "--dir", data.url.path + "::/data", folder.path("main.js")],
            environment: ["STATION_JS_ENGINE": try JSEngines.stub(), "STATION_WASMTIME_LIB": JSEngines.wasmtimeLibrary])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("write /data: allowed\n"), "stdout: \(result.stdout)")
        #expect(result.stdout.contains("write /: refused"))
        #expect(FileManager.default.fileExists(atPath: data.path("note.txt")))
    }

    @Test("--env replaces the host's STATION_ID; an unset one is not passed")
    func environmentOverride() throws {
        let folder = try ScriptFolder(["main.mjs": "x\n"])
        defer { folder.remove() }
        let result = try StationBinary.run(
            ["run", "--engine", "wasmkit", "--env", "STATION_ID=mine", folder.path("main.mjs")],
            environment: ["STATION_JS_ENGINE": try JSEngines.stub(), "STATION_ID": "host", "FIL_WALLET_ADDRESS": ""])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("env STATION_ID=mine\n"), "stdout: \(result.stdout)")
        #expect(!result.stdout.contains("STATION_ID=host"))
        #expect(result.stdout.contains("env FIL_WALLET_ADDRESS=unset\n"))
    }

    @Test("the engine's exit code is station's: 7 from proc_exit, 1 with the stack for an uncaught exception", arguments: ["wasmkit", "wasmtime"])
    func exitCodes(engine: String) throws {
        let folder = try ScriptFolder(["seven.js": "exit 7\n", "throws.js": "throw\n"])
        defer { folder.remove() }
        let environment = ["STATION_JS_ENGINE": try JSEngines.stub(), "STATION_WASMTIME_LIB": JSEngines.wasmtimeLibrary]
        let seven = try StationBinary.run(["run", "--engine", engine, folder.path("seven.js")], environment: environment)
        #expect(seven.status == 7, "stderr: \(seven.stderr)")
        let thrown = try StationBinary.run(["run", "--engine", engine, folder.path("throws.js")], environment: environment)
        #expect(thrown.status == 1)
        #expect(thrown.stderr.contains("Error: boom\n    at <anonymous> (/throws.js:1:7)"), "stderr: \(thrown.stderr)")
    }

    @Test("a symlinked entry's root is the folder of the file it points to")
    func symlinkedEntry() throws {
        let real = try ScriptFolder(["app.js": "real\n", "dep.js": ""])
        let other = try ScriptFolder([:])
        defer { real.remove(); other.remove() }
        try FileManager.default.createDirectory(at: other.url, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: other.path("main.js"), withDestinationPath: real.path("app.js"))
        let result = try StationBinary.run(["run", "--engine", "wasmkit", other.path("main.js")], environment: ["STATION_JS_ENGINE": try JSEngines.stub()])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("argv[1]=app.js\n"), "stdout: \(result.stdout)")
        #expect(result.stdout.contains("root: app.js dep.js\n"), "stdout: \(result.stdout)")
    }

    @Test("--json: activity:started with module null, then the job total at start, as Zinnia prints them")
    func startEvents() throws {
        let folder = try ScriptFolder(["counter.js": "x\n"])
        defer { folder.remove() }
        let result = try StationBinary.run(["run", "--engine", "wasmkit", "--json", folder.path("counter.js")], environment: ["STATION_JS_ENGINE": try JSEngines.stub()])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.prefix(2) == [
            #"{"type":"activity:started","module":null}"#,
            #"{"type":"jobs-completed","total":0,"modules":{"counter":0}}"#,
        ], "stdout: \(result.stdout)")
        // The module's own stdout goes to stderr with --json.
        #expect(result.stderr.contains("argv[1]=counter.js"))
    }

    @Test("--dir may not take the module's '/', and --invoke has nothing to call")
    func usageErrors() throws {
        let folder = try ScriptFolder(["main.js": ""])
        defer { folder.remove() }
        let root = try StationBinary.run(["run", "--dir", "/tmp::/", folder.path("main.js")])
        #expect(root.status == 64)
        #expect(root.stderr.contains("'/' is the JavaScript module's own folder"), "stderr: \(root.stderr)")
        let invoke = try StationBinary.run(["run", "--invoke", "f", folder.path("main.js")])
        #expect(invoke.status == 64)
        let missing = try StationBinary.run(["run", folder.path("absent.js")], environment: ["STATION_JS_ENGINE": try JSEngines.stub()])
        #expect(missing.status == 66, "stderr: \(missing.stderr)")
    }

    @Test("inspect says a JavaScript module runs on the engine")
    func inspect() throws {
        let folder = try ScriptFolder(["main.js": ""])
        defer { folder.remove() }
        let result = try StationBinary.run(["inspect", folder.path("main.js")], environment: ["STATION_JS_ENGINE": try JSEngines.stub()])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("a JavaScript module, run by the station-js engine module"), "stdout: \(result.stdout)")
    }

    // MARK: Finding and checking the engine

    @Test("without the engine: a clear error saying how to install it, exit status 72")
    func missingEngine() throws {
        let folder = try ScriptFolder(["main.js": ""])
        let empty = try ScriptFolder([:])
        defer { folder.remove(); empty.remove() }
        let result = try StationBinary.run(["run", folder.path("main.js")], environment: ["XDG_DATA_HOME": empty.url.path, "STATION_JS_ENGINE": ""])
        #expect(result.status == 72)
        #expect(result.stderr.hasPrefix("station: main: the JavaScript engine is not installed (no \(empty.url.path)/station/engines/station-js/station-js.wasm); install it with: bash scripts/install-extras"), "stderr: \(result.stderr)")
        let override = try StationBinary.run(["run", folder.path("main.js")], environment: ["STATION_JS_ENGINE": "/nonexistent/station-js.wasm"])
        #expect(override.status == 72)
        #expect(override.stderr.contains("STATION_JS_ENGINE names /nonexistent/station-js.wasm, which is not a file"), "stderr: \(override.stderr)")
        let version = try StationBinary.run(["version"], environment: ["XDG_DATA_HOME": empty.url.path, "STATION_JS_ENGINE": ""])
        #expect(version.stdout.contains("javascript: not available: the JavaScript engine is not installed"), "stdout: \(version.stdout)")
    }

    @Test("the installed engine is found in the engines folder and checked against its manifest: a damaged one is refused")
    func installedEngineIsVerified() throws {
        let folder = try ScriptFolder(["main.js": ""])
        defer { folder.remove() }
        let stub = try JSEngines.stub()
        let good = try InstalledEngine(copying: stub)
        defer { good.remove() }
        let ran = try StationBinary.run(["run", folder.path("main.js")], environment: good.environment)
        #expect(ran.status == 0, "stderr: \(ran.stderr)")
        #expect(ran.stdout.contains("argv[0]=station-js\n"))
        let version = try StationBinary.run(["version"], environment: good.environment)
        #expect(version.stdout.contains("javascript: station-js 0.1.0 (QuickJS-ng 0.17.0.2, \(good.wasm.path))"), "stdout: \(version.stdout)")

        // Truncated after it was installed: the bytes no longer match the manifest.
        let handle = try FileHandle(forWritingTo: good.wasm)
        try handle.truncate(atOffset: 1000)
        try handle.close()
        let truncated = try StationBinary.run(["run", folder.path("main.js")], environment: good.environment)
        #expect(truncated.status == 72)
        #expect(truncated.stderr.contains("the JavaScript engine \(good.wasm.path) is damaged: its SHA-256 is "), "stderr: \(truncated.stderr)")
        #expect(truncated.stderr.contains("(1000 bytes), but its manifest says "))
        #expect(truncated.stderr.hasSuffix("rebuild and install it with: bash scripts/install-extras\n"))
        #expect(!truncated.stdout.contains("argv"), "the damaged engine ran")

        let wrong = try InstalledEngine(copying: stub, sha256: String(repeating: "0", count: 64))
        defer { wrong.remove() }
        let refused = try StationBinary.run(["run", folder.path("main.js")], environment: wrong.environment)
        #expect(refused.status == 72)
        #expect(refused.stderr.contains("is damaged"), "stderr: \(refused.stderr)")
        let damaged = try StationBinary.run(["version"], environment: wrong.environment)
        #expect(damaged.stdout.contains("javascript: not available: the JavaScript engine \(wrong.wasm.path) is damaged"), "stdout: \(damaged.stdout)")
    }

    @Test("an installed engine without its manifest is refused")
    func missingManifest() throws {
        let folder = try ScriptFolder(["main.js": ""])
        defer { folder.remove() }
        let installed = try InstalledEngine(copying: try JSEngines.stub())
        defer { installed.remove() }
        try FileManager.default.removeItem(at: installed.wasm.deletingLastPathComponent().appendingPathComponent("manifest.json"))
        let result = try StationBinary.run(["run", folder.path("main.js")], environment: installed.environment)
        #expect(result.status == 72)
        #expect(result.stderr.contains("manifest.json is unusable: it is missing"), "stderr: \(result.stderr)")
    }

    // MARK: The daemon

    @Test("the daemon runs a module.toml with js = \"main.js\" on the engine", arguments: ["wasmkit", "wasmtime"])
    func daemonRunsJavaScript(engine: String) async throws {
        let (config, root) = try DaemonCommandTests.writeConfig("[daemon]\nengine = \"\(engine)\"\n[status]\nenabled = false", modules: [
            ("script", "name = \"script\"\nversion = \"1.0.0\"\njs = \"main.js\"\nargs = [\"--flag\"]\nrestart = \"never\"\n[env]\nGREETING = \"hi\"\n"),
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        try "exit 3\n".write(to: root.appendingPathComponent("script/main.js"), atomically: true, encoding: .utf8)
        let state = root.appendingPathComponent("state")
        let daemon = try DaemonProcess(config: config, state: state, extraArguments: ["--json"], environment: [
            "STATION_JS_ENGINE": try JSEngines.stub(), "STATION_WASMTIME_LIB": JSEngines.wasmtimeLibrary,
        ])
        try await daemon.waitFor("the module's end") { daemon.messages(of: "script").contains { $0.contains("exited with status 3") } }
        #expect(try await daemon.stop() == 0)
        let events = daemon.events
        #expect(events.first?["type"] as? String == "activity:started")
        #expect(events.first.map { $0.keys.contains("module") && $0["module"] is NSNull } == true, "activity:started carries module: null")
        #expect(events.dropFirst().first?["type"] as? String == "jobs-completed")
        #expect((events.dropFirst().first?["modules"] as? [String: Int]) == ["script": 0])
        let log = try String(contentsOf: state.appendingPathComponent("modules/script/output.log"), encoding: .utf8)
        #expect(log.contains("argv[0]=station-js\nargv[1]=main.js\nargv[2]=--flag\n"), "output.log: \(log)")
        #expect(log.contains("env GREETING=hi\n"))
        #expect(log.contains("root: main.js module.toml\n"), "output.log: \(log)")
        #expect(log.contains("write /: refused"))
    }

    @Test("the daemon reports a missing engine as the module's error, naming the fix")
    func daemonWithoutEngine() async throws {
        let (config, root) = try DaemonCommandTests.writeConfig("[status]\nenabled = false\n[supervisor]\nmax-failures = 1", modules: [
            ("script", "name = \"script\"\nversion = \"1.0.0\"\njs = \"main.js\"\n"),
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        try "".write(to: root.appendingPathComponent("script/main.js"), atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(config: config, state: root.appendingPathComponent("state"), extraArguments: ["--json"], environment: [
            "STATION_JS_ENGINE": root.appendingPathComponent("no-engine.wasm").path,
        ])
        try await daemon.waitFor("the engine error") { daemon.messages(of: "script").contains { $0.contains("bash scripts/install-extras") } }
        #expect(try await daemon.stop() == 0)
    }

    // MARK: The real engine

    @Test("hello.js runs", .enabled(if: JSEngines.realEngineOrCI), arguments: ["wasmkit", "wasmtime"])
    func hello(engine: String) throws {
        let result = try StationBinary.run(["run", "--engine", engine, "examples/js/hello.js", "Ann"], environment: try JSEngines.real())
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("Hello, Ann!"), "stdout: \(result.stdout)")
    }

    @Test("an uncaught exception ends the module with status 1 and its JS stack on stderr", .enabled(if: JSEngines.realEngineOrCI), arguments: ["wasmkit", "wasmtime"])
    func uncaughtException(engine: String) throws {
        let folder = try ScriptFolder(["main.js": "function explode() {\n  throw new Error('boom from explode')\n}\nexplode()\n"])
        defer { folder.remove() }
        let result = try StationBinary.run(["run", "--engine", engine, folder.path("main.js")], environment: try JSEngines.real())
        #expect(result.status == 1, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("boom from explode"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("explode"), "the stack names the function: \(result.stderr)")
        #expect(result.stderr.contains("main.js:2"), "the stack names the line: \(result.stderr)")
    }

    @Test("import '../../etc/passwd' is refused: imports stay in the module's folder", .enabled(if: JSEngines.realEngineOrCI))
    func importOutsideRoot() throws {
        let folder = try ScriptFolder([
            "app/main.js": "import secret from '../../etc/passwd'\nconsole.log(String(secret))\n",
            "app/dynamic.js": "try { await import('../secret.js'); console.log('imported') } catch (e) { console.log('refused: ' + e.message) }\n",
            "secret.js": "console.log('SECRET CODE RAN')\n",
        ])
        defer { folder.remove() }
        let result = try StationBinary.run(["run", folder.path("app/main.js")], environment: try JSEngines.real())
        #expect(result.status == 1, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(!result.stdout.contains("root:"), "passwd leaked: \(result.stdout)")
        let dynamic = try StationBinary.run(["run", folder.path("app/dynamic.js")], environment: try JSEngines.real())
        #expect(dynamic.status == 0, "stderr: \(dynamic.stderr)")
        #expect(dynamic.stdout.hasPrefix("refused: "), "stdout: \(dynamic.stdout)")
        #expect(!dynamic.stdout.contains("SECRET CODE RAN"))
    }

    @Test("the real engine, installed and verified, runs; damaged, it is refused", .enabled(if: JSEngines.realEngineOrCI))
    func realEngineVerified() throws {
        let engine = try #require(JSEngines.realEngine)
        let installed = try InstalledEngine(copying: engine)
        defer { installed.remove() }
        let ran = try StationBinary.run(["run", "examples/js/hello.js"], environment: installed.environment)
        #expect(ran.status == 0, "stderr: \(ran.stderr)")
        let handle = try FileHandle(forWritingTo: installed.wasm)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0]))
        try handle.close()
        let refused = try StationBinary.run(["run", "examples/js/hello.js"], environment: installed.environment)
        #expect(refused.status == 72)
        #expect(refused.stderr.contains("is damaged"), "stderr: \(refused.stderr)")
    }

    @Test("the bytecode cache: a second start reads what the first compiled; damaged or stale entries are compiled and written again", .enabled(if: JSEngines.realEngineOrCI), arguments: ["wasmkit", "wasmtime"])
    func bytecodeCache(engine: String) throws {
        let folder = try ScriptFolder([
            "main.js": "import { twice } from './lib.js'\nconsole.log('twice: ' + twice(21))\n",
            "lib.js": "export function twice(x) { return 2 * x }\n",
        ])
        let cacheRoot = FileManager.default.temporaryDirectory.appendingPathComponent("station-js-cache-\(UUID().uuidString)")
        defer { folder.remove(); try? FileManager.default.removeItem(at: cacheRoot) }
        var environment = try JSEngines.real()
        environment["CACHE_ROOT"] = cacheRoot.path
        func run() throws -> CLIResult {
            let result = try StationBinary.run(
                ["run", "--engine", engine, "--env", "STATION_JS_CACHE_STATS=1", folder.path("main.js")], environment: environment)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            #expect(result.stdout == "twice: 42\n", "stdout: \(result.stdout)")
            return result
        }
        // The prelude, main.js and lib.js: compiled and written, then read back.
        #expect(try run().stderr.contains("station-js cache: on, 0 hits, 3 misses, 3 written"))
        #expect(try run().stderr.contains("station-js cache: on, 3 hits, 0 misses, 0 written"))

        // The entries live in the cache folder, one per engine build and module.
        let base = cacheRoot.appendingPathComponent("js-bytecode")
        let engineFolders = try FileManager.default.contentsOfDirectory(atPath: base.path)
        #expect(engineFolders.count == 1)
        let engineFolder = base.appendingPathComponent(try #require(engineFolders.first))
        let moduleFolder = engineFolder.appendingPathComponent(try #require(try FileManager.default.contentsOfDirectory(atPath: engineFolder.path).first))
        let entries = try FileManager.default.contentsOfDirectory(atPath: moduleFolder.path).filter { $0.hasSuffix(".qbc") }
        #expect(entries.count == 3, "\(entries)")

        // A flipped byte in every payload, then a truncated file: never trusted, compiled again.
        for name in entries {
            let url = moduleFolder.appendingPathComponent(name)
            var bytes = try Data(contentsOf: url)
            bytes[bytes.count - 1] ^= 0x5a
            try bytes.write(to: url)
        }
        #expect(try run().stderr.contains("station-js cache: on, 0 hits, 3 misses, 3 written"))
        #expect(try run().stderr.contains("station-js cache: on, 3 hits, 0 misses, 0 written"))
        for name in entries {
            let url = moduleFolder.appendingPathComponent(name)
            try Data(try Data(contentsOf: url).prefix(50)).write(to: url)
        }
        #expect(try run().stderr.contains("station-js cache: on, 0 hits, 3 misses, 3 written"))

        // A changed source is a new entry; the unchanged files still hit.
        try "export function twice(x) { return x + x }\n".write(to: folder.url.appendingPathComponent("lib.js"), atomically: true, encoding: .utf8)
        #expect(try run().stderr.contains("station-js cache: on, 2 hits, 1 misses, 1 written"))
    }

    @Test("station run keeps a JavaScript module's job total in the state folder, as Zinnia's daemon does", .enabled(if: JSEngines.realEngineOrCI), arguments: ["wasmkit", "wasmtime"])
    func jobTotalPersists(engine: String) throws {
        let folder = try ScriptFolder(["jobs.js": "Zinnia.jobCompleted()\nZinnia.jobCompleted()\n"])
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("station-js-state-\(UUID().uuidString)")
        defer { folder.remove(); try? FileManager.default.removeItem(at: state) }
        var environment = try JSEngines.real()
        environment["STATE_ROOT"] = state.path
        func totals() throws -> [Int] {
            let result = try StationBinary.run(["run", "--engine", engine, "--json", folder.path("jobs.js")], environment: environment)
            #expect(result.status == 0, "stderr: \(result.stderr)")
            let events = result.stdout.split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            }
            #expect(events.first?["type"] as? String == "activity:started")
            return events.filter { $0["type"] as? String == "jobs-completed" }.compactMap { $0["total"] as? Int }
        }
        let first = try totals()
        #expect(first.first == 0 && first.last == 2, "\(first)")
        // The next run starts from the kept total, as Zinnia prints it at start.
        let second = try totals()
        #expect(second.first == 2 && second.last == 4, "\(second)")
        let files = try FileManager.default.contentsOfDirectory(atPath: state.appendingPathComponent("js-jobs").path)
        #expect(files.count == 1 && files[0].hasPrefix("jobs-"), "\(files)")
        let stored = try String(contentsOf: state.appendingPathComponent("js-jobs/\(files[0])"), encoding: .utf8)
        #expect(stored == "{\n  \"total_jobs_completed\": 4\n}")

        // A damaged file counts as 0 and is replaced.
        try "not json".write(to: state.appendingPathComponent("js-jobs/\(files[0])"), atomically: true, encoding: .utf8)
        let third = try totals()
        #expect(third.first == 0 && third.last == 2, "\(third)")
    }

    @Test("the daemon runs a real JS module: its activity and jobs become Zinnia's events", .enabled(if: JSEngines.realEngineOrCI), arguments: ["wasmkit", "wasmtime"])
    func daemonRealModule(engine: String) async throws {
        let (config, root) = try DaemonCommandTests.writeConfig("[daemon]\nengine = \"\(engine)\"\n[status]\nenabled = false", modules: [
            ("counter", "name = \"counter\"\nversion = \"1.0.0\"\njs = \"main.js\"\nrestart = \"never\"\n"),
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        try """
        Zinnia.activity.info('counting from ' + Zinnia.stationId.length)
        for (let i = 0; i < 3; i++) Zinnia.jobCompleted()
        """.write(to: root.appendingPathComponent("counter/main.js"), atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(config: config, state: root.appendingPathComponent("state"), extraArguments: ["--json"], environment: try JSEngines.real())
        try await daemon.waitFor("three jobs") { daemon.jobTotals["counter"] == 3 }
        #expect(try await daemon.stop() == 0)
        #expect(daemon.messages(of: "counter", type: "activity:info").contains("counting from 88"))
    }
}
}
