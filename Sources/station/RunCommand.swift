import ArgumentParser
import Foundation
import Sandbox
import SandboxEngine
import StationConfig
import StationDaemon
import StationHost
import WASIHost

/// `station run`: one module in the foreground, like `wasmtime run`.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a WebAssembly module (.wasm or .wat) or a JavaScript module (.js, .mjs) in the foreground.",
        discussion: """
            The module runs with our own WASI preview 1 host: it sees its arguments, the variables \
            given with --env, the directories given with --dir, and its standard streams.

            JavaScript modules (docs/js.md) run on the station-js engine module, under the same \
            limits and grants: the module's folder is its root, seen read-only as '/', and every \
            import must stay inside it. The engine is installed by: bash scripts/install-extras \
            (or named by $STATION_JS_ENGINE). An uncaught exception ends the module with status 1.

            Defaults when a limit is not given: \(LimitOptionHelp.runDefaultsSummary), \
            \(Limits.defaults.tableElements.formatted()) table elements, \(Limits.defaults.openFiles) open files \
            (docs/limits.md).

            Station ABI: the module may import `station` functions (docs/abi.md). Network access is \
            denied unless granted with --allow-net (e.g. --allow-net 'https://*.example.com' \
            --allow-net http://127.0.0.1:8080); loopback and private addresses need a pattern that \
            names them. --allow-p2p and --allow-ipfs start the shared libp2p node (and block store) \
            for the module. --kv gives the module a key-value store. Activity and job reports are \
            printed on stderr, or as Station JSON event lines on stdout with --json (the module's \
            own stdout then goes to stderr).

            Exit status: the module's own proc_exit code (0 when _start returns); otherwise \
            65 invalid module, 66 unreadable file, 69 missing import or export, 70 runtime error, \
            72 JavaScript engine missing or damaged, 124 limit hit, 134 trap, 130 interrupted. One \
            line on stderr says what happened.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Engine: auto (Wasmtime when installed, else WasmKit), wasmtime or wasmkit.", valueName: "auto|wasmtime|wasmkit"))
    var engine: String = "auto"

    @Option(name: .long, help: ArgumentHelp("Set an environment variable for the module (repeatable).", valueName: "KEY=VALUE"))
    var env: [String] = []

    @Option(name: .long, help: ArgumentHelp("Give the module a host directory, optionally under another name (repeatable).", valueName: "HOST[::GUEST]"))
    var dir: [String] = []

    @Option(name: .long, help: LimitOptionHelp.help("memory"))
    var memory: String?

    @Option(name: .long, help: LimitOptionHelp.help("fuel"))
    var fuel: UInt64?

    @Option(name: .long, help: LimitOptionHelp.help("timeout"))
    var timeout: String?

    @Option(name: .long, help: LimitOptionHelp.help("stack"))
    var stack: String?

    @Option(name: .long, help: LimitOptionHelp.help("cpu"))
    var cpu: Double?

    @Option(name: .long, help: LimitOptionHelp.help("storage"))
    var storage: String?

    @Option(name: .long, help: ArgumentHelp("Call this exported function instead of _start; ARGS are its arguments.", valueName: "FUNCTION"))
    var invoke: String?

    @Option(name: .customLong("allow-net"), help: ArgumentHelp("Allow HTTP requests to URLs matching a pattern: SCHEME://HOST[:PORT], HOST may start with '*.' (repeatable).", valueName: "PATTERN"))
    var allowNet: [String] = []

    @Option(name: .customLong("ca-file"), help: ArgumentHelp("Trust the CA certificates in this PEM file for https, besides the system's (repeatable).", valueName: "PEM"))
    var caFiles: [String] = []

    @Option(name: .customLong("net-rate"), help: LimitOptionHelp.help("net-rate"))
    var netRate: String?

    @Option(name: .customLong("max-response"), help: LimitOptionHelp.help("max-response"))
    var maxResponse: String?

    @Option(name: .customLong("max-handles"), help: LimitOptionHelp.help("max-handles"))
    var maxHandles: Int?

    @Option(name: .long, help: ArgumentHelp("The module's key-value store: an SQLite file, created if missing.", valueName: "PATH"))
    var kv: String?

    @Option(name: .customLong("kv-quota"), help: LimitOptionHelp.help("kv-quota"))
    var kvQuota: String?

    @Flag(name: .long, help: "Print Station JSON event lines (activity, jobs) on stdout; the module's stdout goes to stderr.")
    var json = false

    @OptionGroup(title: "Peer-to-peer and IPFS")
    var network: RunNetworkOptions

    @Flag(name: .long, help: "Give the module an empty standard input instead of this process's.")
    var noStdin = false

    @Flag(name: .long, help: "Print a summary (engine, time, CPU, fuel, memory) on stderr when the module ends.")
    var stats = false

    @Argument(help: ArgumentHelp("The module: a .wasm binary, .wat text, or a .js/.mjs JavaScript module.", valueName: "MODULE"))
    var module: String

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("Arguments passed to the module.", valueName: "ARGS"))
    var arguments: [String] = []

    func validate() throws {
        guard EngineChoice(rawValue: engine) != nil else {
            throw ValidationError("--engine must be auto, wasmtime or wasmkit, not '\(engine)'")
        }
        _ = try askedLimits()
        for entry in env where !entry.contains("=") || entry.hasPrefix("=") {
            throw ValidationError("--env takes KEY=VALUE, not '\(entry)'")
        }
        if JavaScriptModule.isJavaScript(module) {
            if invoke != nil {
                throw ValidationError("--invoke calls a WebAssembly export; a JavaScript module has none (it runs from its top level)")
            }
            for grant in dir where (try? DirectoryGrant(parsing: grant))?.guestPath == JavaScriptModule.guestRoot {
                throw ValidationError("--dir '\(grant)': '/' is the JavaScript module's own folder; give the directory another guest path, like HOST::/data")
            }
        }
        _ = try stationConfiguration(moduleName: "check")
    }

    /// The station ABI grants and caps from the flags.
    func stationConfiguration(moduleName: String) throws -> StationModuleConfiguration {
        var configuration = StationModuleConfiguration(identity: .fromEnvironment(moduleName: moduleName))
        do {
            configuration.networkPolicy = try NetworkPolicy(allowing: allowNet)
        } catch {
            throw ValidationError("--allow-net: \(error)")
        }
        for file in caFiles where !FileManager.default.isReadableFile(atPath: file) {
            throw ValidationError("--ca-file: cannot read '\(file)'")
        }
        try resolvedLimits().apply(to: &configuration)
        configuration.networkLimits.extraCAFiles = caFiles
        configuration.keyValuePath = kv
        return configuration
    }

    /// The limit options as a manifest's `[limits]`, each checked as the catalog says.
    func askedLimits() throws -> ModuleLimits {
        var asked = ModuleLimits()
        let values: [String: String?] = [
            "memory": memory, "fuel": fuel.map(String.init), "timeout": timeout, "stack": stack, "cpu": cpu.map { $0 == $0.rounded() && abs($0) < 1e15 ? String(Int($0)) : "\($0)" },
            "storage": storage, "kv-quota": kvQuota, "ipfs-quota": network.ipfsQuota, "net-rate": netRate,
            "max-response": maxResponse, "max-handles": maxHandles.map(String.init),
        ]
        for (key, text) in values {
            guard let text, let entry = LimitCatalog.entry(key) else { continue }
            do {
                try entry.set(text, in: &asked)
            } catch {
                throw ValidationError("--\(key): \(error)")
            }
        }
        return asked
    }

    /// The limits this run gets: the options, else `station run`'s defaults (``ResolvedLimits``).
    func resolvedLimits() throws -> ResolvedLimits {
        ResolvedLimits(asked: try askedLimits(), defaults: RunDefaults.moduleLimits)
    }

    func limits() throws -> Limits { try resolvedLimits().engine }

    /// The `--env` entries as pairs.
    var environment: [(String, String)] {
        env.map { entry in
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }

    /// The run for a WebAssembly module, or for a JavaScript module on the engine module; and the
    /// module's name for messages and events.
    func prepare() throws -> (RunConfiguration, name: String) {
        var configuration: RunConfiguration
        let name: String
        do {
            let limits = try limits()
            let grants = try dir.map(DirectoryGrant.init(parsing:))
            if JavaScriptModule.isJavaScript(module) {
                let script = try JavaScriptModule(entry: module)
                let engine: JavaScriptEngine
                do {
                    engine = try JavaScriptEngine.locate()
                } catch {
                    Diagnostics.report(module: script.name, message: "\(error)")
                    throw ExitCode(CommandExit.engineMissing)
                }
                configuration = script.runConfiguration(
                    engine: engine, arguments: arguments, environment: environment, bytecodeCache: StationFolders.resolve(.cache))
                configuration.directories += grants
                name = script.name
            } else {
                // Reading the file (and parsing WebAssembly text) counts against the load-time
                // limit, and never outlasts the run's own deadline.
                let loadTime = [limits.loadTime, limits.timeout].compactMap { $0 }.min()
                let loaded = try ModuleLoader.load(path: module, loadTime: loadTime)
                configuration = RunConfiguration(module: loaded)
                configuration.directories = grants
                configuration.arguments = arguments
                configuration.environment = environment
                name = loaded.name
            }
            configuration.limits = limits
            if JavaScriptModule.isJavaScript(module) {
                JavaScriptModule.apply(limits, stackAsked: stack != nil, to: &configuration)
            }
        } catch let error as SandboxError {
            Diagnostics.report(module: module, error)
            throw ExitCode(error.exitStatus)
        }
        return (configuration, name)
    }

    func run() async throws {
        let prepared = try prepare()
        var configuration = prepared.0
        let name = prepared.name
        configuration.engine = EngineChoice(rawValue: engine) ?? .auto
        configuration.stdin = noStdin ? .none : .fileDescriptor(0)
        if json { configuration.stdout = FileDescriptorSink(fd: 2) }
        let events: any StationEventSink = json ? JSONLinesEventSink(fileDescriptor: 1) : ReadableEventSink(fileDescriptor: 2)
        var stationConfiguration = try stationConfiguration(moduleName: name)
        network.apply(to: &stationConfiguration)
        let services: SharedServices
        do {
            services = try await RunNetworkServices.start(network, module: name, ipfsQuotaBytes: try resolvedLimits().ipfsQuotaBytes, allowNet: allowNet)
        } catch {
            let message = error is SharedServicesError ? "\(error)" : "cannot start the p2p node or block store: \(error)"
            Diagnostics.report(module: name, message: message)
            throw ExitCode(CommandExit.unavailable)
        }
        // Zinnia's throttle: a total is printed at once, then at most every 200 ms; the final
        // total is always printed when the module ends. A JavaScript module's total is kept in the
        // state folder across runs, as Zinnia's daemon keeps it.
        let jobTotal = JavaScriptModule.isJavaScript(module)
            ? (try? JavaScriptModule(entry: module)).map { JavaScriptJobTotal(module: $0, stateFolder: StationFolders.resolve(.state)) } : nil
        let startTotal = jobTotal?.load() ?? 0
        let jobs = JobLedger(
            sink: jobTotal.map { JobTotalSink(output: events, store: $0, module: name) } ?? events, interval: .milliseconds(200),
            initialCounts: jobTotal == nil ? [:] : [name: startTotal])
        let operations = StationOperations(
            configuration: stationConfiguration, events: events, jobs: jobs,
            p2pNode: services.node, content: services.content)
        configuration.hostFunctions = StationABI.hostFunctions(operations)
        if let invoke { configuration.entryPoint = .function(name: invoke, arguments: arguments) }

        // Without a deadline or CPU share, running code is not checked (it costs up to 2.5x on
        // tight loops), so Ctrl-C ends the process at once instead of asking the module to stop.
        configuration.stoppable = false
        let runner = ModuleRunner(configuration: configuration)
        operations.attach(governor: runner.governor)
        if json {
            // As Zinnia's daemon starts: the runtime is up, then the module's job total so far
            // (kept across runs for a JavaScript module, else 0).
            events.emit(.started)
            events.emit(.jobsCompleted(total: startTotal, modules: [name: startTotal]))
        }
        let interruptible = EngineSettings(limits: configuration.limits, stoppable: false).interruptible
        let interrupt = InterruptHandler(exitImmediately: !interruptible) { runner.stop(.runtime("interrupted")) }
        let outcome = await runner.run()
        interrupt.cancel()
        operations.close()
        await services.stop()
        if json, let error = outcome.error {
            events.emit(.activity(module: name, level: .error, message: interrupt.fired ? "interrupted" : "\(error)"))
        }

        if !outcome.results.isEmpty {
            print(outcome.results.map(\.description).joined(separator: " "))
        }
        if stats { Diagnostics.printStats(outcome) }
        if let error = outcome.error {
            if interrupt.fired {
                Diagnostics.report(module: name, message: "interrupted")
                throw ExitCode(CommandExit.interrupted)
            }
            Diagnostics.report(module: name, error)
        }
        if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
    }
}
