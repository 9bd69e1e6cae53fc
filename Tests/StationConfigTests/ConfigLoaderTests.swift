import Foundation
import SandboxEngine
import Testing
@testable import StationConfig

/// A throwaway folder of config files, removed when the test ends.
final class ConfigFolder {
    let path: String

    init() throws {
        path = Paths.normalize(NSTemporaryDirectory() + "/station-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `contents` at `relative`, creating folders; returns the absolute path.
    @discardableResult
    func write(_ relative: String, _ contents: String) throws -> String {
        let file = path + "/" + relative
        try FileManager.default.createDirectory(atPath: Paths.folder(of: file), withIntermediateDirectories: true)
        try contents.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// Loads `station.toml` in this folder, returning the problems (empty when it loaded).
    func problems(environment: [String: String] = ["HOME": "/home/test"], checks: FieldChecks = FieldChecks()) -> [ConfigProblem] {
        do {
            _ = try ConfigLoader.load(path: path + "/station.toml", environment: environment, checks: checks)
            return []
        } catch {
            return error.problems
        }
    }
}

let environment = ["HOME": "/home/test"]

@Suite("ConfigLoader")
struct ConfigLoaderTests {
    @Test("a complete configuration loads with every field")
    func happyPath() throws {
        let folder = try ConfigFolder()
        try folder.write("station.toml", """
        # The daemon.
        [daemon]
        state = "state"
        cache = "/var/cache/station"
        engine = "wasmkit"

        [budget]
        memory = "1GiB"
        cpu = 150.5
        storage = "4GiB"

        [status]
        enabled = false
        listen = "[::1]:0"

        [p2p]
        listen = ["/ip4/127.0.0.1/tcp/0"]
        peers = ["/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWExample"]

        [ipfs]
        gateways = ["http://127.0.0.1:8080", "https://gateway.example"]

        [supervisor]
        initial-backoff = "500ms"
        max-backoff = "5m"
        jitter = 0
        max-failures = 3
        healthy-after = "90s"
        stop-deadline = "2s"

        [[module]]
        manifest = "modules/ticker/module.toml"

        [[module]]
        manifest = "modules/fetcher/module.toml"
        enabled = false
        """)
        try folder.write("modules/ticker/module.toml", """
        name = "ticker"
        version = "1.0.0"
        wasm = "ticker.wat"
        args = ["--every", "5s"]
        restart = "on-failure"

        [env]
        GREETING = "hello"
        _DEBUG2 = "1"

        [grants]
        net = ["https://*.example.com"]
        p2p = ["/my/proto/1.0.0", "/prefix/*"]
        p2p-local = true
        ipfs = true
        kv = true
        files = true

        [limits]
        memory = "64MiB"
        cpu = 10
        fuel = 1_000_000
        timeout = "10m"
        stack = "1MiB"
        storage = "100MiB"
        kv-quota = "16MiB"
        ipfs-quota = "100MiB"
        net-rate = "1MiB"
        max-response = "64MiB"
        max-handles = 1024
        hang-after = "2m"
        activity-per-second = 5
        activity-burst = 20
        """)
        try folder.write("modules/ticker/ticker.wat", "(module)")
        try folder.write("modules/fetcher/module.toml", """
        name = "fetcher"
        version = "0.1"
        cid = "bafkreiexample"
        """)

        let config = try ConfigLoader.load(path: folder.path + "/station.toml", environment: environment)
        #expect(config.file == folder.path + "/station.toml")
        #expect(config.stateDirectory == folder.path + "/state")
        #expect(config.cacheDirectory == "/var/cache/station")
        #expect(config.engine == "wasmkit")
        #expect(config.budget == GlobalBudget(memoryBytes: 1 << 30, cpuPercent: 150.5, storageBytes: 4 << 30))
        #expect(config.status.enabled == false)
        #expect(config.status.host == "::1")
        #expect(config.status.port == 0)
        #expect(config.p2p.listen == ["/ip4/127.0.0.1/tcp/0"])
        #expect(config.p2p.peers == ["/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWExample"])
        #expect(config.ipfs.gateways == ["http://127.0.0.1:8080", "https://gateway.example"])
        #expect(config.supervisor.initialBackoff == .milliseconds(500))
        #expect(config.supervisor.maxBackoff == .seconds(300))
        #expect(config.supervisor.jitter == 0)
        #expect(config.supervisor.maxFailures == 3)
        #expect(config.supervisor.healthyAfter == .seconds(90))
        #expect(config.supervisor.stopDeadline == .seconds(2))

        #expect(config.modules.map(\.name) == ["ticker", "fetcher"])
        let ticker = config.modules[0]
        #expect(ticker.file == folder.path + "/modules/ticker/module.toml")
        #expect(ticker.version == "1.0.0")
        #expect(ticker.source == .file(folder.path + "/modules/ticker/ticker.wat"))
        #expect(ticker.arguments == ["--every", "5s"])
        #expect(ticker.restart == .onFailure)
        #expect(ticker.environment == [EnvironmentVariable(name: "GREETING", value: "hello"), EnvironmentVariable(name: "_DEBUG2", value: "1")])
        #expect(ticker.enabled)
        var grants = ModuleGrants()
        grants.net = ["https://*.example.com"]
        grants.p2p = ["/my/proto/1.0.0", "/prefix/*"]
        grants.p2pLocal = true
        grants.ipfs = true
        grants.kv = true
        grants.files = true
        #expect(ticker.grants == grants)
        var limits = ModuleLimits()
        limits.memoryBytes = 64 << 20
        limits.cpuPercent = 10
        limits.fuel = 1_000_000
        limits.timeout = .seconds(600)
        limits.stackBytes = 1 << 20
        limits.storageBytes = 100 << 20
        limits.kvQuotaBytes = 16 << 20
        limits.ipfsQuotaBytes = 100 << 20
        limits.netRateBytes = 1 << 20
        limits.maxResponseBytes = 64 << 20
        limits.maxHandles = 1024
        limits.hangAfter = .seconds(120)
        limits.activityPerSecond = 5
        limits.activityBurst = 20
        #expect(ticker.limits == limits)

        let fetcher = config.modules[1]
        #expect(fetcher.source == .cid("bafkreiexample"))
        #expect(fetcher.enabled == false)
        #expect(fetcher.restart == .always)
        #expect(fetcher.grants == ModuleGrants())
        #expect(fetcher.limits == ModuleLimits())
    }

    @Test("an empty station.toml gives the defaults")
    func defaults() throws {
        let folder = try ConfigFolder()
        try folder.write("station.toml", "# nothing\n")
        let config = try ConfigLoader.load(path: folder.path + "/station.toml", environment: environment)
        #expect(config.engine == "auto")
        #expect(config.budget == GlobalBudget())
        #expect(config.status == StatusSettings())
        #expect(config.supervisor.maxBackoff == .seconds(300))
        #expect(config.modules.isEmpty)
        #expect(config.stateDirectory == "/home/test/.local/state/station")
        #expect(config.cacheDirectory == "/home/test/.cache/station")
    }

    @Test("a configuration with many problems reports all of them, sorted, with their lines")
    func manyProblems() throws {
        let folder = try ConfigFolder()
        try folder.write("station.toml", """
        [daemon]
        engine = "v8"
        [budget]
        memory = 5
        cpu = -1
        [status]
        listen = "0.0.0.0:7834"
        [supervisor]
        max-backof = "5m"
        jitter = 2
        [supervisr]
        [[module]]
        manifest = "missing/module.toml"
        [[module]]
        manifest = "bad/module.toml"
        [[module]]
        manifest = "a/module.toml"
        [[module]]
        manifest = "b/module.toml"
        [[module]]
        manifest = "syntax/module.toml"
        [[module]]
        manifset = "x"
        """)
        try folder.write("bad/module.toml", """
        name = "bad name"
        version = ""
        wasm = "nothere.wasm"
        restart = "sometimes"
        [env]
        1BAD = "x"
        GOOD = 5
        [grants]
        p2p = ["noslash"]
        nett = []
        [limits]
        memory = 64
        cpu = 150
        max-handles = 0
        stack = "1XB"
        """)
        try folder.write("a/module.toml", "name = \"dup\"\nversion = \"1\"\ncid = \"bafyA\"\n")
        try folder.write("b/module.toml", "# second\nname = \"dup\"\nversion = \"1\"\ncid = \"bafyB\"\n")
        try folder.write("syntax/module.toml", "name = \"x\"\nversion = \n")

        let problems = folder.problems()
        let station = folder.path + "/station.toml"
        let bad = folder.path + "/bad/module.toml"
        let expected: [(String, Int?, String)] = [
            (folder.path + "/b/module.toml", 2, "module name 'dup' is already used by \(folder.path)/a/module.toml:1"),
            (bad, 1, "'name': 'bad name' may only use letters"),
            (bad, 2, "'version': must not be empty"),
            (bad, 3, "'wasm': 'nothere.wasm' (\(folder.path)/bad/nothere.wasm) does not exist"),
            (bad, 4, "'restart': 'sometimes' is not a restart policy (use always, on-failure, never)"),
            (bad, 6, "[env]: '1BAD' is not a valid variable name"),
            (bad, 7, "'GOOD' in [env]: expected a string like \"value\", found an integer"),
            (bad, 9, "'p2p' in [grants]: protocol id 'noslash' must start with '/'"),
            (bad, 10, "unknown key 'nett' in [grants]; did you mean 'net'?"),
            (bad, 12, "'memory' in [limits]: expected a string like \"64MiB\", found an integer"),
            (bad, 13, "'cpu' in [limits]: 150 is out of range"),
            (bad, 14, "'max-handles' in [limits]: 0 is out of range (1 to 1000000)"),
            (bad, 15, "'stack' in [limits]: '1XB' is not a size"),
            (station, 2, "'engine' in [daemon]: 'v8' is not an engine (use auto, wasmtime, wasmkit)"),
            (station, 4, "'memory' in [budget]: expected a string like \"1GiB\", found an integer"),
            (station, 5, "'cpu' in [budget]: -1 is out of range"),
            (station, 7, "'listen' in [status]: '0.0.0.0' is not a loopback address"),
            (station, 9, "unknown key 'max-backof' in [supervisor]; did you mean 'max-backoff'?"),
            (station, 10, "'jitter' in [supervisor]: 2 is out of range (0 to 1)"),
            (station, 11, "unknown table [supervisr]; did you mean [supervisor]?"),
            (station, 13, "module manifest 'missing/module.toml' (\(folder.path)/missing/module.toml): no such file"),
            (station, 22, "[[module]] needs a 'manifest'"),
            (station, 23, "unknown key 'manifset' in [[module]] (line 22); did you mean 'manifest'?"),
            (folder.path + "/syntax/module.toml", 2, "expected a value, found the end of the line"),
        ]
        for (index, (file, line, message)) in expected.enumerated() where index < problems.count {
            let problem = problems[index]
            #expect(problem.file == file, "problem \(index): \(problem)")
            #expect(problem.line == line, "problem \(index): \(problem)")
            #expect(problem.message.hasPrefix(message), "problem \(index): \(problem)")
        }
        #expect(problems.count == expected.count, "\(problems.map(\.description).joined(separator: "\n"))")
        // The printed form is file:line: message, one per line.
        let errors = ConfigErrors(problems: problems)
        #expect(errors.description.split(separator: "\n").count == expected.count)
        #expect(errors.description.contains("\(station):9: unknown key 'max-backof' in [supervisor]; did you mean 'max-backoff'?"))
        #expect(errors.description.contains("\(folder.path)/syntax/module.toml:2:11: expected a value"))
    }

    @Test("wrong types name what was expected and what was found")
    func wrongTypes() throws {
        let folder = try ConfigFolder()
        try folder.write("station.toml", """
        budget = 5
        [status]
        enabled = "yes"
        listen = 7834
        [p2p]
        listen = "/ip4/127.0.0.1/tcp/0"
        peers = [1]
        [supervisor]
        max-failures = 2.5
        """)
        let messages = folder.problems().map { "\($0.line ?? 0): \($0.message)" }
        #expect(messages == [
            "1: 'budget': expected a table (write it as [budget]), found an integer",
            "3: 'enabled' in [status]: expected true or false, found a string",
            "4: 'listen' in [status]: expected a string like \"127.0.0.1:7834\", found an integer",
            "6: 'listen' in [p2p]: expected an array of strings like [\"/ip4/127.0.0.1/tcp/0\"], found a string",
            "7: 'peers' in [p2p]: expected each element to be a string like \"/ip4/192.0.2.1/tcp/4001/p2p/12D3KooW...\", found an integer",
            "9: 'max-failures' in [supervisor]: expected an integer like 5, found a float",
        ])
    }

    @Test("a missing station.toml is one problem naming the path")
    func missingFile() throws {
        let folder = try ConfigFolder()
        let problems = folder.problems()
        #expect(problems == [ConfigProblem(file: folder.path + "/station.toml", line: nil, message: "no such file")])
        #expect(problems.first?.description == "\(folder.path)/station.toml: no such file")
        try FileManager.default.createDirectory(atPath: folder.path + "/station.toml", withIntermediateDirectories: false)
        #expect(folder.problems().first?.message == "is a folder, not a file")
    }

    /// A FIFO at the configuration's path used to block the reader forever (waiting for a writer);
    /// only regular files are opened now, checked on the descriptor.
    @Test("a FIFO at station.toml or a manifest is one problem, not a hang")
    func fifoIsRefused() throws {
        let folder = try ConfigFolder()
        #expect(mkfifo(folder.path + "/station.toml", 0o600) == 0)
        #expect(folder.problems().first?.message == "is a FIFO (named pipe), not a regular file")
        try FileManager.default.removeItem(atPath: folder.path + "/station.toml")
        try folder.write("station.toml", "[[module]]\nmanifest = \"m.toml\"\n")
        #expect(mkfifo(folder.path + "/m.toml", 0o600) == 0)
        let problems = folder.problems()
        #expect(problems.count == 1)
        #expect(problems.first?.message.contains("FIFO") == true, "\(problems)")
    }

    @Test("a syntax error in station.toml is reported with line and column")
    func stationSyntaxError() throws {
        let folder = try ConfigFolder()
        try folder.write("station.toml", "[daemon]\nengine = auto\n")
        let problems = folder.problems()
        #expect(problems.count == 1)
        #expect(problems.first?.line == 2)
        #expect(problems.first?.column == 10)
        #expect(problems.first?.message.contains("strings need quotes") == true)
    }

    @Test("status listen addresses must be loopback", arguments: [
        ("127.0.0.1:7834", "127.0.0.1", 7834, true), ("127.1.2.3:1", "127.1.2.3", 1, true), ("localhost:80", "localhost", 80, true),
        ("[::1]:65535", "::1", 65535, true), ("0.0.0.0:7834", "", 0, false), ("192.168.1.1:7834", "", 0, false),
        ("127.0.0.1:65536", "", 0, false), ("127.0.0.1", "", 0, false), ("::1:7834", "", 0, false), ("[::]:7834", "", 0, false),
        ("127.0.0.256:1", "", 0, false), ("example.com:80", "", 0, false),
    ])
    func listen(text: String, host: String, port: Int, valid: Bool) {
        switch ConfigLoader.parseListen(text) {
        case .success(let (parsedHost, parsedPort)):
            #expect(valid)
            #expect(parsedHost == host)
            #expect(parsedPort == port)
        case .failure(let error):
            #expect(!valid, "\(error.message)")
        }
    }

    @Test("module names", arguments: [
        ("ticker", true), ("a.b_c-D9", true), (String(repeating: "x", count: 64), true), (String(repeating: "x", count: 65), false),
        ("", false), (".", false), ("..", false), ("a/b", false), ("é", false), ("a b", false),
        ("Ticker", true), (".hidden", true), ("ticker.", false), ("a..", false),
        // Unicode forms a file system may fold together are not names at all: NFC and NFD "é",
        // full-width letters, the Kelvin sign (which lowercases to "k").
        ("caf\u{E9}", false), ("cafe\u{301}", false), ("\u{FF54}icker", false), ("\u{212A}", false),
    ])
    func names(name: String, valid: Bool) {
        #expect((ConfigLoader.nameProblem(name) == nil) == valid)
    }

    @Test("names are compared by their ASCII lowercase form")
    func nameKeys() {
        #expect(ConfigLoader.nameKey("Ticker") == "ticker")
        #expect(ConfigLoader.nameKey("TICKER-2.b_C") == "ticker-2.b_c")
        #expect(ConfigLoader.nameKey("ticker") == ConfigLoader.nameKey("tIcKeR"))
        #expect(ConfigLoader.nameKey("ticker") != ConfigLoader.nameKey("ticker2"))
    }

    @Test("module names that differ only in case are refused: they would share one data folder")
    func caseOnlyNames() throws {
        let folder = try ConfigFolder()
        try folder.write("station.toml", """
        [[module]]
        manifest = "a/module.toml"
        [[module]]
        manifest = "b/module.toml"
        [[module]]
        manifest = "c/module.toml"
        enabled = false
        [[module]]
        manifest = "d/module.toml"
        """)
        try folder.write("a/module.toml", "name = \"Ticker\"\nversion = \"1\"\ncid = \"bafyA\"\n")
        try folder.write("b/module.toml", "version = \"1\"\nname = \"ticker\"\ncid = \"bafyB\"\n")
        try folder.write("c/module.toml", "name = \"TICKER\"\nversion = \"1\"\ncid = \"bafyC\"\n")
        try folder.write("d/module.toml", "name = \"ticker-2\"\nversion = \"1\"\ncid = \"bafyD\"\n")
        let problems = folder.problems()
        let first = "\(folder.path)/a/module.toml:1"
        #expect(problems.map(\.description) == [
            "\(folder.path)/b/module.toml:2: module name 'ticker' differs only in case from 'Ticker' (\(first)); names must be unique ignoring case, as each names a data folder and case-insensitive file systems (the macOS and Windows defaults) would give both the same one",
            // A disabled module still has its name (and its folder), so it counts too.
            "\(folder.path)/c/module.toml:1: module name 'TICKER' differs only in case from 'Ticker' (\(first)); names must be unique ignoring case, as each names a data folder and case-insensitive file systems (the macOS and Windows defaults) would give both the same one",
        ])
    }

    @Test("a manifest needs exactly one of wasm and cid, a name and a version")
    func manifestRequirements() throws {
        let folder = try ConfigFolder()
        try folder.write("station.toml", "[[module]]\nmanifest = \"both/module.toml\"\n[[module]]\nmanifest = \"none/module.toml\"\n[[module]]\nmanifest = \"ext/module.toml\"\n")
        try folder.write("both/module.toml", "name = \"both\"\nversion = \"1\"\nwasm = \"m.wasm\"\ncid = \"bafy\"\n")
        try folder.write("both/m.wasm", "")
        try folder.write("none/module.toml", "# nothing useful\n")
        try folder.write("ext/module.toml", "name = \"ext\"\nversion = \"1\"\nwasm = \"code.txt\"\n")
        try folder.write("ext/code.txt", "")
        let problems = folder.problems().map { "\($0.file.dropFirst(folder.path.count)):\($0.line ?? 0): \($0.message)" }
        #expect(problems == [
            "/both/module.toml:4: give either 'wasm' (line 3) or 'cid' (line 4), not both",
            "/ext/module.toml:3: 'wasm': 'code.txt' (\(folder.path)/ext/code.txt) must be a .wasm or .wat file",
            "/none/module.toml:0: missing 'name' (letters, digits, '-', '_' and '.', like name = \"ticker\")",
            "/none/module.toml:0: missing 'version' (like version = \"1.0.0\")",
            "/none/module.toml:0: missing the module's code: add wasm = \"module.wasm\" (a file next to the manifest), js = \"main.js\" (a JavaScript module) or cid = \"bafy...\"",
        ])
    }

    @Test("js names a JavaScript module's entry: exactly one of wasm, js and cid, a .js or .mjs file that exists")
    func javascriptEntry() throws {
        let folder = try ConfigFolder()
        let modules = ["ok", "mjs", "two", "three", "ts", "gone", "aswasm", "typo", "dir"]
        try folder.write("station.toml", modules.map { "[[module]]\nmanifest = \"\($0)/module.toml\"\n" }.joined())
        try folder.write("ok/module.toml", "name = \"ok\"\nversion = \"1\"\njs = \"src/main.js\"\nargs = [\"--fast\"]\n")
        try folder.write("ok/src/main.js", "console.log(1)\n")
        try folder.write("mjs/module.toml", "name = \"mjs\"\nversion = \"1\"\njs = \"main.MJS\"\n")
        try folder.write("mjs/main.MJS", "")
        try folder.write("two/module.toml", "name = \"two\"\nversion = \"1\"\nwasm = \"m.wasm\"\njs = \"main.js\"\n")
        try folder.write("three/module.toml", "name = \"three\"\nversion = \"1\"\njs = \"main.js\"\ncid = \"bafy\"\nwasm = \"m.wasm\"\n")
        try folder.write("ts/module.toml", "name = \"ts\"\nversion = \"1\"\njs = \"main.ts\"\n")
        try folder.write("ts/main.ts", "")
        try folder.write("gone/module.toml", "name = \"gone\"\nversion = \"1\"\njs = \"gone.js\"\n")
        try folder.write("aswasm/module.toml", "name = \"aswasm\"\nversion = \"1\"\nwasm = \"main.js\"\n")
        try folder.write("aswasm/main.js", "")
        try folder.write("typo/module.toml", "name = \"typo\"\nversion = \"1\"\njss = \"main.js\"\n")
        try folder.write("dir/module.toml", "name = \"dir\"\nversion = \"1\"\njs = \"lib.js\"\n")
        try FileManager.default.createDirectory(atPath: folder.path + "/dir/lib.js", withIntermediateDirectories: true)
        let problems = folder.problems().map { "\($0.file.dropFirst(folder.path.count)):\($0.line ?? 0): \($0.message)" }
        #expect(problems == [
            "/aswasm/module.toml:3: 'wasm': 'main.js' (\(folder.path)/aswasm/main.js) must be a .wasm or .wat file (a JavaScript module is given as js = \"main.js\")",
            "/dir/module.toml:3: 'js': 'lib.js' (\(folder.path)/dir/lib.js) is a folder, not a file",
            "/gone/module.toml:3: 'js': 'gone.js' (\(folder.path)/gone/gone.js) does not exist",
            "/three/module.toml:5: give only one of 'wasm' (line 5), 'js' (line 3) and 'cid' (line 4)",
            "/ts/module.toml:3: 'js': 'main.ts' (\(folder.path)/ts/main.ts) must be a .js or .mjs file",
            "/two/module.toml:4: give either 'wasm' (line 3) or 'js' (line 4), not both",
            "/typo/module.toml:0: missing the module's code: add wasm = \"module.wasm\" (a file next to the manifest), js = \"main.js\" (a JavaScript module) or cid = \"bafy...\"",
            "/typo/module.toml:3: unknown key 'jss'; did you mean 'js'?",
        ])

        try folder.write("station.toml", "[[module]]\nmanifest = \"ok/module.toml\"\n[[module]]\nmanifest = \"mjs/module.toml\"\n")
        let configuration = try ConfigLoader.load(path: folder.path + "/station.toml", environment: environment)
        #expect(configuration.modules.map(\.source) == [.javascript(folder.path + "/ok/src/main.js"), .javascript(folder.path + "/mjs/main.MJS")])
        #expect(configuration.modules.first?.arguments == ["--fast"])
        #expect(configuration.modules.first?.source.description == folder.path + "/ok/src/main.js")
    }

    @Test("field checks supplied by the daemon are applied at the right lines")
    func fieldChecks() throws {
        let folder = try ConfigFolder()
        try folder.write("station.toml", """
        [p2p]
        listen = ["/ip4/127.0.0.1/tcp/0", "/bogus"]
        peers = [
          "/ip4/127.0.0.1/tcp/1/p2p/good",
          "/ip4/127.0.0.1/tcp/1/p2p/bogus",
        ]
        [ipfs]
        gateways = ["http://bogus"]
        [[module]]
        manifest = "m/module.toml"
        """)
        try folder.write("m/module.toml", """
        name = "m"
        version = "1"
        cid = "bogus"
        [grants]
        net = ["https://ok.example", "bogus://"]
        """)
        let reject: FieldChecks.Check = { $0.contains("bogus") ? "contains bogus" : nil }
        let checks = FieldChecks(networkPattern: reject, multiaddr: reject, cid: reject, gatewayURL: reject)
        let problems = folder.problems(checks: checks).map { "\($0.file.dropFirst(folder.path.count)):\($0.line ?? 0): \($0.message)" }
        #expect(problems == [
            "/m/module.toml:3: 'cid': 'bogus' is not a valid CID: contains bogus",
            "/m/module.toml:5: 'net' in [grants]: 'bogus://' is not a valid pattern: contains bogus",
            "/station.toml:2: 'listen' in [p2p]: '/bogus' is not a valid multiaddr: contains bogus",
            "/station.toml:5: 'peers' in [p2p]: '/ip4/127.0.0.1/tcp/1/p2p/bogus' is not a valid multiaddr: contains bogus",
            "/station.toml:8: 'gateways' in [ipfs]: 'http://bogus' is not a valid gateway URL: contains bogus",
        ])
        // Without checks only the basic shapes are checked, and these pass.
        #expect(folder.problems().isEmpty)
    }

    @Test("a syntax error in one manifest does not stop the others being checked")
    func brokenManifestDoesNotHideOthers() throws {
        let folder = try ConfigFolder()
        try folder.write("station.toml", "[[module]]\nmanifest = \"one/module.toml\"\n[[module]]\nmanifest = \"two/module.toml\"\n")
        try folder.write("one/module.toml", "name = \"one\"\nversion = [\n")
        try folder.write("two/module.toml", "name = \"two\"\nversion = \"1\"\ncid = \"bafy\"\nrestart = \"later\"\n")
        let problems = folder.problems()
        #expect(problems.map(\.file) == [folder.path + "/one/module.toml", folder.path + "/two/module.toml"])
        #expect(problems.map(\.line) == [3, 4])
    }

    @Test("supervisor backoffs must be in order")
    func backoffOrder() throws {
        let folder = try ConfigFolder()
        try folder.write("station.toml", "[supervisor]\ninitial-backoff = \"10m\"\nmax-backoff = \"1m\"\n")
        let problems = folder.problems()
        #expect(problems.count == 1)
        #expect(problems.first?.line == 2)
        #expect(problems.first?.message == "'initial-backoff' in [supervisor] (600 s) is longer than 'max-backoff' (60 s)")
    }

    @Test("limits that must fit or be positive")
    func limitRanges() throws {
        let folder = try ConfigFolder()
        try folder.write("station.toml", "[[module]]\nmanifest = \"m/module.toml\"\n")
        try folder.write("m/module.toml", """
        name = "m"
        version = "1"
        cid = "bafy"
        [limits]
        stack = "16TiB"
        memory = "0"
        timeout = "0s"
        fuel = -1
        activity-per-second = 0
        activity-burst = 0
        cpu = 0
        """)
        let problems = folder.problems()
        // 16 TiB fits in Int on 64-bit machines, so only the zeros and the negative number are wrong.
        #expect(problems.compactMap(\.line) == [6, 7, 8, 9, 10, 11], "\(problems)")
        #expect(problems.first?.message == "'memory' in [limits]: must be more than zero")
    }
}

@Suite("ConfigLoader: environment, arguments and module files a start would refuse")
struct ConfigProcessInputTests {
    @Test("[env] names and values and args that no process can be given are refused with their lines")
    func environmentAndArguments() throws {
        let folder = try ConfigFolder()
        try folder.write("station.toml", "[[module]]\nmanifest = \"m/module.toml\"\n")
        try folder.write("m/module.toml", #"""
        name = "m"
        version = "1"
        cid = "bafy"
        args = [
          "--ok",
          "bad\u0000arg",
        ]
        [env]
        GOOD = "fine"
        NUL_VALUE = "a\u0000b"
        "A=B" = "x"
        "" = "x"
        "K\u0000" = "x"
        "9LIVES" = "x"
        EMPTY_IS_FINE = ""
        """#)
        let problems = folder.problems()
        #expect(problems.map { "\($0.line ?? 0): \($0.message)" } == [
            #"6: 'args': argument 2 ('bad\u0000arg') contains a NUL byte, which no argument can hold"#,
            #"10: 'NUL_VALUE' in [env]: the value 'a\u0000b' contains a NUL byte, which no environment variable can hold"#,
            "11: [env]: 'A=B' is not a valid variable name ('=' would end the name: the rest would become the value)",
            "12: [env]: an empty variable name is not allowed",
            #"13: [env]: the variable name 'K\u0000' contains a NUL byte"#,
            "14: [env]: '9LIVES' is not a valid variable name (letters, digits and '_', not starting with a digit)",
        ])
        // Messages never carry the raw control character to the terminal.
        #expect(!problems.contains { $0.description.utf8.contains(0) })
    }

    @Test("a valid [env] and args load unchanged")
    func validEnvironment() throws {
        let folder = try ConfigFolder()
        try folder.write("module.toml", "name = \"m\"\nversion = \"1\"\ncid = \"bafy\"\nargs = [\"a=b\", \"\"]\n[env]\nX = \"a=b\\tc\"\nEMPTY = \"\"\n")
        let manifest = try ConfigLoader.loadManifest(path: folder.path + "/module.toml")
        #expect(manifest.arguments == ["a=b", ""])
        #expect(manifest.environment == [EnvironmentVariable(name: "X", value: "a=b\tc"), EnvironmentVariable(name: "EMPTY", value: "")])
    }

    @Test("the moduleFile check gets the absolute path and its problem is reported on the wasm line")
    func moduleFileCheck() throws {
        let folder = try ConfigFolder()
        try folder.write("station.toml", "[[module]]\nmanifest = \"big/module.toml\"\n[[module]]\nmanifest = \"ok/module.toml\"\n[[module]]\nmanifest = \"gone/module.toml\"\n")
        try folder.write("big/module.toml", "name = \"big\"\nversion = \"1\"\n\nwasm = \"code/../big.wasm\"\n")
        try folder.write("big/big.wasm", "")
        try folder.write("ok/module.toml", "name = \"ok\"\nversion = \"1\"\nwasm = \"ok.wat\"\n")
        try folder.write("ok/ok.wat", "(module)")
        try folder.write("gone/module.toml", "name = \"gone\"\nversion = \"1\"\nwasm = \"gone.wasm\"\n")
        let seen = Seen()
        var checks = FieldChecks()
        checks.moduleFile = { path in
            seen.add(path)
            return path.hasSuffix("/big.wasm") ? "is larger than the 64 MiB module limit" : nil
        }
        let problems = folder.problems(checks: checks)
        #expect(problems.map(\.description) == [
            "\(folder.path)/big/module.toml:4: 'wasm': 'code/../big.wasm' (\(folder.path)/big/big.wasm): is larger than the 64 MiB module limit",
            "\(folder.path)/gone/module.toml:3: 'wasm': 'gone.wasm' (\(folder.path)/gone/gone.wasm) does not exist",
        ])
        // Called with resolved absolute paths, and only for files that passed the loader's own checks.
        #expect(seen.paths.sorted() == [folder.path + "/big/big.wasm", folder.path + "/ok/ok.wat"])
        // Left nil (the default), the file passes.
        #expect(folder.problems().map(\.description) == [
            "\(folder.path)/gone/module.toml:3: 'wasm': 'gone.wasm' (\(folder.path)/gone/gone.wasm) does not exist",
        ])
        // loadManifest applies it too.
        #expect(throws: ConfigErrors.self) { try ConfigLoader.loadManifest(path: folder.path + "/big/module.toml", checks: checks) }
    }
}

/// Paths a check was called with (checks are `@Sendable`).
final class Seen: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []

    func add(_ path: String) { lock.withLock { stored.append(path) } }
    var paths: [String] { lock.withLock { stored } }
}

@Suite("ConfigLoader: default folders from the environment")
struct ConfigEnvironmentTests {
    func load(_ station: String, environment: [String: String]) throws -> DaemonConfiguration {
        let folder = try ConfigFolder()
        try folder.write("station.toml", station)
        return try ConfigLoader.load(path: folder.path + "/station.toml", environment: environment)
    }

    @Test("STATE_ROOT and CACHE_ROOT win over XDG and HOME")
    func roots() throws {
        let config = try load("", environment: ["STATE_ROOT": "/srv/state", "CACHE_ROOT": "/srv/cache", "XDG_STATE_HOME": "/xdg/state", "XDG_CACHE_HOME": "/xdg/cache", "HOME": "/home/u"])
        #expect(config.stateDirectory == "/srv/state")
        #expect(config.cacheDirectory == "/srv/cache")
    }

    @Test("XDG folders are used when absolute, with station appended")
    func xdg() throws {
        let config = try load("", environment: ["XDG_STATE_HOME": "/xdg/state/", "XDG_CACHE_HOME": "/xdg/cache", "HOME": "/home/u"])
        #expect(config.stateDirectory == "/xdg/state/station")
        #expect(config.cacheDirectory == "/xdg/cache/station")
    }

    @Test("relative or empty XDG folders are ignored (as the XDG spec says)")
    func relativeXDG() throws {
        let config = try load("", environment: ["XDG_STATE_HOME": "relative", "XDG_CACHE_HOME": "", "STATE_ROOT": "", "HOME": "/home/u"])
        #expect(config.stateDirectory == "/home/u/.local/state/station")
        #expect(config.cacheDirectory == "/home/u/.cache/station")
    }

    @Test("[daemon] state and cache win over the environment; relative ones are taken from station.toml's folder")
    func explicitFolders() throws {
        let folder = try ConfigFolder()
        try folder.write("conf/station.toml", "[daemon]\nstate = \"../data/./state\"\ncache = \"~/cache\"\n")
        let config = try ConfigLoader.load(path: folder.path + "/conf/station.toml", environment: ["STATE_ROOT": "/srv/state", "HOME": "/home/u"])
        #expect(config.stateDirectory == folder.path + "/data/state")
        #expect(config.cacheDirectory == "/home/u/cache")
    }

    @Test("a relative station.toml path is taken from the current directory")
    func relativeStationPath() throws {
        let folder = try ConfigFolder()
        try folder.write("station.toml", "")
        let cwd = FileManager.default.currentDirectoryPath
        let relative = String(repeating: "../", count: cwd.split(separator: "/").count) + folder.path.dropFirst()
        let config = try ConfigLoader.load(path: relative + "/station.toml", environment: environment)
        #expect(config.file == folder.path + "/station.toml")
    }
}

@Suite("ConfigLoader: single manifests")
struct ManifestLoaderTests {
    @Test("loadManifest reads one module.toml")
    func loadOne() throws {
        let folder = try ConfigFolder()
        try folder.write("m/module.toml", "name = \"solo\"\nversion = \"2\"\nwasm = \"code/solo.wasm\"\n[env]\nB = \"2\"\nA = \"1\"\n")
        try folder.write("m/code/solo.wasm", "")
        let manifest = try ConfigLoader.loadManifest(path: folder.path + "/m/module.toml")
        #expect(manifest.name == "solo")
        #expect(manifest.source == .file(folder.path + "/m/code/solo.wasm"))
        // Environment variables keep the order they were written in.
        #expect(manifest.environment.map(\.name) == ["B", "A"])
        #expect(manifest.enabled)
    }

    @Test("loadManifest reports every problem of a bad manifest")
    func loadBad() throws {
        let folder = try ConfigFolder()
        try folder.write("module.toml", "name = \"..\"\nversion = 1\ncid = \"\"\n[limitz]\n")
        do {
            _ = try ConfigLoader.loadManifest(path: folder.path + "/module.toml")
            Issue.record("expected errors")
        } catch {
            #expect(error.problems.map(\.line) == [1, 2, 3, 4])
            #expect(error.problems.last?.message == "unknown table [limitz]; did you mean [limits]?")
        }
    }
}
