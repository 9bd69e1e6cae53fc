import Foundation
import NetworkAddresses
import SandboxEngine
import Units

/// Reads and validates `station.toml` and the `module.toml` manifests it lists.
///
/// Everything is checked before anything is reported: unknown keys (with "did you mean"), wrong
/// types, bad sizes and durations, out-of-range numbers, missing files, duplicate module names
/// (ignoring case), environment variables and arguments a process cannot be given, and (through
/// ``FieldChecks``) network patterns, multiaddrs, CIDs, gateway URLs and module files. All problems come
/// back together in one ``ConfigErrors``, sorted by file and line. See `docs/daemon-config.md`.
public enum ConfigLoader {
    /// The top-level tables of `station.toml`.
    static let stationTables = ["daemon", "budget", "status", "p2p", "ipfs", "supervisor", "module"]
    /// The keys of a `module.toml`, top level.
    static let manifestKeys = ["name", "version", "wasm", "js", "cid", "args", "restart", "env", "grants", "limits"]
    /// The keys that give a module's code; a manifest has exactly one of them.
    static let codeKeys = ["wasm", "js", "cid"]
    static let grantKeys = ["net", "p2p", "p2p-local", "ipfs", "kv", "files"]
    static let limitKeys = LimitCatalog.all.map(\.key)
    /// The engines `[daemon] engine` accepts.
    public static let engines = ["auto", "wasmtime", "wasmkit"]

    /// Loads `station.toml` at `path` (relative paths are taken from the current directory) and
    /// every manifest it lists.
    ///
    /// - Parameters:
    ///   - environment: where `STATE_ROOT`, `CACHE_ROOT`, `XDG_STATE_HOME`, `XDG_CACHE_HOME` and
    ///     `HOME` are looked up for the default folders.
    ///   - checks: validators for values owned by other layers.
    /// - Throws: ``ConfigErrors`` listing every problem found, in every file.
    public static func load(
        path: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        checks: FieldChecks = FieldChecks()
    ) throws(ConfigErrors) -> DaemonConfiguration {
        let file = Paths.absolute(path, base: Paths.currentDirectory)
        let problems = ProblemList()
        guard let document = ConfigFiles.document(file, problems: problems) else {
            throw ConfigErrors(problems: problems.problems)
        }
        let configuration = readStation(document.root, file: file, environment: environment, checks: checks, problems: problems)
        guard problems.problems.isEmpty else { throw ConfigErrors(problems: problems.problems) }
        return configuration
    }

    /// Loads one `module.toml` on its own (as `station.toml` would list it, enabled).
    public static func loadManifest(path: String, checks: FieldChecks = FieldChecks()) throws(ConfigErrors) -> ModuleManifest {
        let file = Paths.absolute(path, base: Paths.currentDirectory)
        let problems = ProblemList()
        guard let document = ConfigFiles.document(file, problems: problems),
              let manifest = readManifest(document.root, file: file, checks: checks, problems: problems),
              problems.problems.isEmpty
        else { throw ConfigErrors(problems: problems.problems) }
        return manifest
    }

    // MARK: station.toml

    static func readStation(_ table: TOMLTable, file: String, environment: [String: String], checks: FieldChecks, problems: ProblemList) -> DaemonConfiguration {
        let root = Section(table: table, name: "", file: file, problems: problems)
        root.checkKeys(stationTables, tables: Set(stationTables.filter { $0 != "module" }))
        let folder = Paths.folder(of: file)
        let home = StationFolders.home(environment: environment)

        // [daemon]
        let daemon = root.section("daemon", named: "[daemon]")
        daemon?.checkKeys(["state", "cache", "engine"])
        func folderSetting(_ key: String) -> String? {
            guard let (text, value) = daemon?.string(key, example: "/var/lib/station") else { return nil }
            guard !text.isEmpty else {
                daemon?.problem(value.line, "\(daemon!.label(key)): must not be empty (leave it out for the default)")
                return nil
            }
            return Paths.absolute(StationFolders.expandTilde(text, home: home), base: folder)
        }
        let state = folderSetting("state") ?? StationFolders.resolve(.state, environment: environment)
        let cache = folderSetting("cache") ?? StationFolders.resolve(.cache, environment: environment)
        var configuration = DaemonConfiguration(file: file, stateDirectory: state, cacheDirectory: cache)
        if let (engine, value) = daemon?.string("engine", example: "auto") {
            if engines.contains(engine) {
                configuration.engine = engine
            } else {
                daemon?.problem(value.line, "'engine' in [daemon]: '\(engine)' is not an engine (use \(engines.joined(separator: ", ")))")
            }
        }

        // [budget]
        if let budget = root.section("budget", named: "[budget]") {
            budget.checkKeys(["memory", "cpu", "storage"])
            configuration.budget.memoryBytes = budget.size("memory", example: "1GiB", allowZero: false)
            configuration.budget.cpuPercent = budget.number("cpu", example: "50", rule: "more than 0 percent of one core") { $0 > 0 }
            configuration.budget.storageBytes = budget.size("storage", example: "4GiB", allowZero: false)
        }

        // [status]
        if let status = root.section("status", named: "[status]") {
            status.checkKeys(["enabled", "listen"])
            if let enabled = status.bool("enabled") { configuration.status.enabled = enabled }
            if let (listen, value) = status.string("listen", example: "127.0.0.1:7834") {
                switch parseListen(listen) {
                case .success(let (host, port)):
                    configuration.status.host = host
                    configuration.status.port = port
                case .failure(let reason):
                    status.problem(value.line, "'listen' in [status]: \(reason.message)")
                }
            }
        }

        // [p2p]
        if let p2p = root.section("p2p", named: "[p2p]") {
            p2p.checkKeys(["listen", "peers"])
            if let listen = p2p.strings("listen", example: "/ip4/127.0.0.1/tcp/0") {
                for (address, value) in listen {
                    if let message = checks.multiaddr?(address) {
                        p2p.problem(value.line, "'listen' in [p2p]: '\(address)' is not a valid multiaddr: \(message)")
                    } else if !address.hasPrefix("/") {
                        p2p.problem(value.line, "'listen' in [p2p]: '\(address)' is not a multiaddr (they start with '/', like /ip4/127.0.0.1/tcp/0)")
                    }
                }
                configuration.p2p.listen = listen.map(\.text)
            }
            if let peers = p2p.strings("peers", example: "/ip4/192.0.2.1/tcp/4001/p2p/12D3KooW...") {
                for (address, value) in peers {
                    if let message = checks.multiaddr?(address) {
                        p2p.problem(value.line, "'peers' in [p2p]: '\(address)' is not a valid multiaddr: \(message)")
                    } else if !address.hasPrefix("/") || !address.contains("/p2p/") {
                        p2p.problem(value.line, "'peers' in [p2p]: '\(address)' must be a multiaddr ending in /p2p/<peer id>")
                    }
                }
                configuration.p2p.peers = peers.map(\.text)
            }
        }

        // [ipfs]
        if let ipfs = root.section("ipfs", named: "[ipfs]") {
            ipfs.checkKeys(["gateways", "routers", "bootstrap", "allow-net", "provide", "dht-server"])
            if let gateways = ipfs.strings("gateways", example: "http://127.0.0.1:8080") {
                for (url, value) in gateways {
                    if let message = checks.gatewayURL?(url) {
                        ipfs.problem(value.line, "'gateways' in [ipfs]: '\(url)' is not a valid gateway URL: \(message)")
                    } else if !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                        ipfs.problem(value.line, "'gateways' in [ipfs]: '\(url)' must be an http:// or https:// URL")
                    }
                }
                configuration.ipfs.gateways = gateways.map(\.text)
            }
            if let routers = ipfs.strings("routers", example: "https://cid.contact") {
                for (url, value) in routers {
                    if let message = checks.gatewayURL?(url) {
                        ipfs.problem(value.line, "'routers' in [ipfs]: '\(url)' is not a valid router URL: \(message)")
                    } else if !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
                        ipfs.problem(value.line, "'routers' in [ipfs]: '\(url)' must be an http:// or https:// URL")
                    }
                }
                configuration.ipfs.routers = routers.map(\.text)
            }
            if let bootstrap = ipfs.strings("bootstrap", example: "/ip4/192.0.2.1/tcp/4001/p2p/12D3KooW...") {
                for (address, value) in bootstrap {
                    if let message = checks.multiaddr?(address) {
                        ipfs.problem(value.line, "'bootstrap' in [ipfs]: '\(address)' is not a valid multiaddr: \(message)")
                    } else if !address.hasPrefix("/") || !address.contains("/p2p/") {
                        ipfs.problem(value.line, "'bootstrap' in [ipfs]: '\(address)' must be a multiaddr ending in /p2p/<peer id>")
                    }
                }
                configuration.ipfs.bootstrap = bootstrap.map(\.text)
            }
            if let patterns = ipfs.strings("allow-net", example: "127.0.0.1:*") {
                for (pattern, value) in patterns {
                    if let message = checks.networkPattern?(pattern) {
                        ipfs.problem(value.line, "'allow-net' in [ipfs]: '\(pattern)' is not a valid pattern: \(message)")
                    }
                }
                configuration.ipfs.allowNet = patterns.map(\.text)
            }
            if let provide = ipfs.bool("provide") { configuration.ipfs.provide = provide }
            if let server = ipfs.bool("dht-server") { configuration.ipfs.dhtServer = server }
        }

        // [supervisor]
        if let supervisor = root.section("supervisor", named: "[supervisor]") {
            supervisor.checkKeys(["initial-backoff", "max-backoff", "jitter", "max-failures", "healthy-after", "stop-deadline"])
            var settings = configuration.supervisor
            let initial = supervisor.duration("initial-backoff", example: "1s")
            let maximum = supervisor.duration("max-backoff", example: "5m", allowZero: false)
            if let initial { settings.initialBackoff = initial }
            if let maximum { settings.maxBackoff = maximum }
            if initial != nil || maximum != nil, settings.initialBackoff > settings.maxBackoff {
                supervisor.problem(supervisor.line(initial != nil ? "initial-backoff" : "max-backoff"),
                                   "'initial-backoff' in [supervisor] (\(Units.formatDuration(settings.initialBackoff))) is longer than 'max-backoff' (\(Units.formatDuration(settings.maxBackoff)))")
            }
            if let jitter = supervisor.number("jitter", example: "0.2", rule: "0 to 1", valid: { $0 >= 0 && $0 <= 1 }) {
                settings.jitter = jitter
            }
            if let failures = supervisor.integer("max-failures", example: "5", range: 1...Int64(Int32.max)) {
                settings.maxFailures = Int(failures)
            }
            if let healthy = supervisor.duration("healthy-after", example: "60s") { settings.healthyAfter = healthy }
            if let deadline = supervisor.duration("stop-deadline", example: "5s") { settings.stopDeadline = deadline }
            configuration.supervisor = settings
        }

        // [[module]]
        if let modules = root.value("module") {
            if let entries = modules.array, entries.allSatisfy({ $0.table != nil }) {
                configuration.modules = readModules(entries, file: file, folder: folder, checks: checks, problems: problems)
            } else {
                problems.add(file, modules.line, "'module': expected [[module]] entries (an array of tables), found \(modules.typeDescription)")
            }
        }
        return configuration
    }

    static func readModules(_ entries: [TOMLValue], file: String, folder: String, checks: FieldChecks, problems: ProblemList) -> [ModuleManifest] {
        var manifests: [ModuleManifest] = []
        // Keyed by ``nameKey(_:)``: each name is a data folder, and `Ticker` and `ticker` are one
        // folder on a case-insensitive file system.
        var names: [String: (name: String, file: String, line: Int)] = [:]
        for entry in entries {
            guard let table = entry.table else { continue }
            let section = Section(table: table, name: "[[module]] (line \(entry.line))", file: file, problems: problems)
            section.checkKeys(["manifest", "enabled"])
            let enabled = section.bool("enabled") ?? true
            guard table["manifest"] != nil else {
                problems.add(file, entry.line, "[[module]] needs a 'manifest' (the path of its module.toml)")
                continue
            }
            guard let (relative, value) = section.string("manifest", example: "modules/ticker/module.toml") else { continue }
            guard !relative.isEmpty else {
                problems.add(file, value.line, "'manifest' in [[module]]: must not be empty")
                continue
            }
            let path = Paths.absolute(relative, base: folder)
            guard let document = ConfigFiles.document(path, problems: problems, reference: (file, value.line, relative == path ? "module manifest '\(path)'" : "module manifest '\(relative)' (\(path))")),
                  var manifest = readManifest(document.root, file: path, checks: checks, problems: problems)
            else { continue }
            manifest.enabled = enabled
            let nameLine = document.root.entry("name")?.value.line ?? 1
            let key = nameKey(manifest.name)
            if let first = names[key] {
                if first.name == manifest.name {
                    problems.add(path, nameLine, "module name '\(manifest.name)' is already used by \(first.file):\(first.line); names must be unique")
                } else {
                    problems.add(path, nameLine, "module name '\(manifest.name)' differs only in case from '\(first.name)' (\(first.file):\(first.line)); names must be unique ignoring case, as each names a data folder and case-insensitive file systems (the macOS and Windows defaults) would give both the same one")
                }
            } else {
                names[key] = (manifest.name, path, nameLine)
            }
            manifests.append(manifest)
        }
        return manifests
    }

    // MARK: module.toml

    /// Validates one manifest. Returns nil when the required fields are unusable (problems say why);
    /// other problems are recorded and a manifest is still returned.
    static func readManifest(_ table: TOMLTable, file: String, checks: FieldChecks, problems: ProblemList) -> ModuleManifest? {
        let root = Section(table: table, name: "", file: file, problems: problems)
        root.checkKeys(manifestKeys, tables: ["env", "grants", "limits"])
        let folder = Paths.folder(of: file)

        var name: String?
        if let (text, value) = root.string("name", example: "ticker") {
            if let reason = nameProblem(text) {
                root.problem(value.line, "'name': \(reason)")
            } else {
                name = text
            }
        } else if table["name"] == nil {
            root.problem(nil, "missing 'name' (letters, digits, '-', '_' and '.', like name = \"ticker\")")
        }

        var version: String?
        if let (text, value) = root.string("version", example: "1.0.0") {
            if text.trimmingCharacters(in: .whitespaces).isEmpty {
                root.problem(value.line, "'version': must not be empty")
            } else {
                version = text
            }
        } else if table["version"] == nil {
            root.problem(nil, "missing 'version' (like version = \"1.0.0\")")
        }

        var source: ModuleSource?
        let wasm = root.string("wasm", example: "module.wasm")
        let js = root.string("js", example: "main.js")
        let cid = root.string("cid", example: "bafy...")
        let given = zip(codeKeys, [wasm, js, cid]).compactMap { key, entry in entry.map { (key, $0.text, $0.value) } }
        if given.count > 1 {
            let listed = given.map { "'\($0.0)' (line \($0.2.line))" }
            let text = given.count == 2
                ? "give either \(listed[0]) or \(listed[1]), not both"
                : "give only one of \(listed.dropLast().joined(separator: ", ")) and \(listed[listed.count - 1])"
            root.problem(given.map { $0.2.line }.max(), text)
        } else if let (key, text, value) = given.first {
            switch key {
            case "wasm":
                let absolute = Paths.absolute(text, base: folder)
                if let reason = codeFileProblem(absolute, extensions: ["wasm", "wat"]) {
                    let hint = codeFileProblem(absolute, extensions: ["js", "mjs"]) == nil ? " (a JavaScript module is given as js = \"\(text)\")" : ""
                    root.problem(value.line, "'wasm': '\(text)' (\(absolute)) \(reason)\(hint)")
                } else if let message = checks.moduleFile?(absolute) {
                    root.problem(value.line, "'wasm': '\(text)' (\(absolute)): \(message)")
                } else {
                    source = .file(absolute)
                }
            case "js":
                let absolute = Paths.absolute(text, base: folder)
                if let reason = codeFileProblem(absolute, extensions: ["js", "mjs"]) {
                    root.problem(value.line, "'js': '\(text)' (\(absolute)) \(reason)")
                } else if Paths.folder(of: absolute) == "/" {
                    root.problem(value.line, "'js': '\(text)' (\(absolute)): the entry's folder is the module's root, and '/' would give it the whole file system; put the module in a folder of its own")
                } else {
                    source = .javascript(absolute)
                }
            default:
                if text.isEmpty {
                    root.problem(value.line, "'cid': must not be empty")
                } else if let message = checks.cid?(text) {
                    root.problem(value.line, "'cid': '\(text)' is not a valid CID: \(message)")
                } else {
                    source = .cid(text)
                }
            }
        } else if codeKeys.allSatisfy({ table[$0] == nil }) {
            root.problem(nil, "missing the module's code: add wasm = \"module.wasm\" (a file next to the manifest), js = \"main.js\" (a JavaScript module) or cid = \"bafy...\"")
        }

        let argumentValues = root.strings("args", example: "--verbose") ?? []
        for (position, (text, value)) in argumentValues.enumerated() where text.utf8.contains(0) {
            // argv entries are NUL-terminated: the sandbox refuses this at every start.
            root.problem(value.line, "'args': argument \(position + 1) ('\(shown(text))') contains a NUL byte, which no argument can hold")
        }
        let arguments = argumentValues.map(\.text)

        var restart = RestartPolicy.always
        if let (text, value) = root.string("restart", example: "always") {
            if let policy = RestartPolicy(rawValue: text) {
                restart = policy
            } else {
                root.problem(value.line, "'restart': '\(text)' is not a restart policy (use \(RestartPolicy.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
        }

        var environment: [EnvironmentVariable] = []
        if let env = root.section("env", named: "[env]") {
            for entry in env.table.entries {
                if let reason = environmentNameProblem(entry.key) {
                    env.problem(entry.line, "[env]: \(reason)")
                    continue
                }
                guard let value = entry.value.string else {
                    env.problem(entry.value.line, "'\(entry.key)' in [env]: expected a string like \"value\", found \(entry.value.typeDescription)")
                    continue
                }
                if value.utf8.contains(0) {
                    // Environment entries are NUL-terminated `NAME=value` strings: the sandbox
                    // refuses this at every start, and the module would be parked.
                    env.problem(entry.value.line, "'\(entry.key)' in [env]: the value '\(shown(value))' contains a NUL byte, which no environment variable can hold")
                    continue
                }
                environment.append(EnvironmentVariable(name: entry.key, value: value))
            }
        }

        let grants = root.section("grants", named: "[grants]").map { readGrants($0, checks: checks) } ?? ModuleGrants()
        let limits = root.section("limits", named: "[limits]").map(readLimits) ?? ModuleLimits()

        guard let name, let version, let source else { return nil }
        var manifest = ModuleManifest(file: file, name: name, version: version, source: source)
        manifest.arguments = arguments
        manifest.environment = environment
        manifest.restart = restart
        manifest.grants = grants
        manifest.limits = limits
        return manifest
    }

    static func readGrants(_ section: Section, checks: FieldChecks) -> ModuleGrants {
        section.checkKeys(grantKeys)
        var grants = ModuleGrants()
        if let net = section.strings("net", example: "https://api.example.com") {
            for (pattern, value) in net {
                if pattern.isEmpty {
                    section.problem(value.line, "'net' in [grants]: an empty pattern grants nothing; remove it")
                } else if let message = checks.networkPattern?(pattern) {
                    section.problem(value.line, "'net' in [grants]: '\(pattern)' is not a valid pattern: \(message)")
                }
            }
            grants.net = net.map(\.text)
        }
        if let p2p = section.strings("p2p", example: "/my/proto/1.0.0") {
            for (id, value) in p2p {
                if !id.hasPrefix("/") {
                    section.problem(value.line, "'p2p' in [grants]: protocol id '\(id)' must start with '/'")
                } else if let star = id.firstIndex(of: "*"), star != id.index(before: id.endIndex) {
                    section.problem(value.line, "'p2p' in [grants]: '\(id)': '*' is only allowed at the end (to grant a prefix)")
                }
            }
            grants.p2p = p2p.map(\.text)
        }
        if let flag = section.bool("p2p-local") { grants.p2pLocal = flag }
        if let flag = section.bool("ipfs") { grants.ipfs = flag }
        if let flag = section.bool("kv") { grants.kv = flag }
        if let flag = section.bool("files") { grants.files = flag }
        return grants
    }

    /// `[limits]`, read entry by entry as ``LimitCatalog`` describes them.
    static func readLimits(_ section: Section) -> ModuleLimits {
        section.checkKeys(limitKeys)
        var limits = ModuleLimits()
        for entry in LimitCatalog.all {
            let key = entry.key
            switch entry.value {
            case .bytes(let path, let allowZero):
                if let bytes = section.size(key, example: entry.example, allowZero: allowZero) { limits[keyPath: path] = bytes }
            case .intBytes(let path):
                guard let bytes = section.size(key, example: entry.example, allowZero: false) else { continue }
                if bytes > UInt64(Int.max) {
                    section.problem(section.table[key]?.line, "'\(key)' in [limits]: \(bytes) bytes is too large")
                } else {
                    limits[keyPath: path] = Int(bytes)
                }
            case .duration(let path):
                if let duration = section.duration(key, example: entry.example, allowZero: false) { limits[keyPath: path] = duration }
            case .number(let path, let rule, let valid):
                if let number = section.number(key, example: entry.example, rule: rule, valid: valid) { limits[keyPath: path] = number }
            case .count(let path, let range):
                if let count = section.integer(key, example: entry.example, range: range) { limits[keyPath: path] = UInt64(count) }
            case .intCount(let path, let range):
                if let count = section.integer(key, example: entry.example, range: range) { limits[keyPath: path] = Int(count) }
            }
        }
        return limits
    }

    // MARK: Small rules

    /// Why `name` is not a valid module name, or nil.
    ///
    /// Names are ASCII (`A-Z a-z 0-9 . _ -`), so Unicode forms that a file system might treat as
    /// one name (NFC and NFD, full-width letters) are refused here and never reach the uniqueness
    /// check, which compares ``nameKey(_:)``.
    static func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "must not be empty" }
        if name.utf8.count > 64 { return "'\(name)' is longer than 64 characters" }
        if name == "." || name == ".." { return "'\(name)' is not allowed (it names a folder)" }
        // Windows drops a trailing dot from file names: `ticker.` would be the folder `ticker`.
        if name.hasSuffix(".") { return "'\(name)' must not end with '.'" }
        let valid = name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default: false
            }
        }
        return valid ? nil : "'\(name)' may only use letters, digits, '.', '_' and '-'"
    }

    /// What two module names are compared by: their ASCII lowercase form. Valid names are ASCII,
    /// so this is exactly how a case-insensitive file system compares the data folders they name.
    static func nameKey(_ name: String) -> String {
        String(decoding: name.utf8.map { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }

    /// Why `name` cannot be an environment variable name, or nil.
    static func environmentNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "an empty variable name is not allowed" }
        if name.utf8.contains(0) { return "the variable name '\(shown(name))' contains a NUL byte" }
        if name.utf8.contains(UInt8(ascii: "=")) { return "'\(shown(name))' is not a valid variable name ('=' would end the name: the rest would become the value)" }
        if !isEnvironmentName(name) {
            return "'\(shown(name))' is not a valid variable name (letters, digits and '_', not starting with a digit)"
        }
        return nil
    }

    /// `text` with control characters written as TOML escapes (`\u0000`), for messages printed to
    /// a terminal.
    static func shown(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                let hex = String(scalar.value, radix: 16, uppercase: true)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func isEnvironmentName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                true
            default: false
            }
        }
    }

    /// Why the code file at `path` cannot be used, or nil: it must end in one of `extensions`,
    /// exist, be a file and be readable.
    static func codeFileProblem(_ path: String, extensions: [String]) -> String? {
        let lower = path.lowercased()
        guard extensions.contains(where: { lower.hasSuffix("." + $0) }) else {
            let names = extensions.map { "." + $0 }
            return "must be a \(names.dropLast().joined(separator: ", ")) or \(names[names.count - 1]) file"
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return "does not exist" }
        if isFolder.boolValue { return "is a folder, not a file" }
        guard FileManager.default.isReadableFile(atPath: path) else { return "cannot be read (check its permissions)" }
        return nil
    }

    struct ListenError: Error {
        var message: String
    }

    /// `host:port` or `[v6]:port` (``HostAuthority``); the host must be loopback.
    static func parseListen(_ text: String) -> Result<(String, Int), ListenError> {
        let authority: HostAuthority
        do {
            authority = try HostAuthority(parsing: text)
        } catch {
            return .failure(ListenError(message: "'\(text)': \(error)"))
        }
        guard let port = authority.port else {
            return .failure(ListenError(message: "'\(text)' is not host:port (like 127.0.0.1:7834 or [::1]:7834)"))
        }
        guard authority.isLoopback else {
            return .failure(ListenError(message: "'\(authority.host)' is not a loopback address; the status API only listens on 127.0.0.1, ::1 or localhost"))
        }
        return .success((authority.host, port))
    }

    /// The state folder when no `station.toml` names one (``StationFolders``).
    public static func defaultStateDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        StationFolders.resolve(.state, environment: environment)
    }
}
