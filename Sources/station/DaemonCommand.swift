import ArgumentParser
import Foundation
import Multiformats
import StationConfig
import Sandbox
import SandboxEngine
import Units
import StationDaemon
import StationHost

/// `station daemon`: many modules in one process.
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run every module of a station.toml in one process, supervised.",
        discussion: """
            Each module runs on its own thread under the limits of its module.toml; all share one \
            libp2p node and one IPFS block store. A module that traps, exits, hits a limit or hangs \
            is started again after a growing pause (with jitter); one that keeps failing is parked \
            with its reason until you restart it. Global budgets ([budget] memory, cpu, storage) \
            are divided fairly between the modules.

            The configuration is checked first; every problem is listed with its file and line \
            (exit status 78). --check stops after that and prints what each module would get.

            Events: readable lines on stderr, or with --json the Station JSON lines on stdout \
            ({"type":"activity:started","module":null}, activity:info/error, jobs-completed with one total per \
            module, kept across restarts).

            Status: a dashboard, a JSON API and Prometheus metrics on 127.0.0.1 (port 7834 unless \
            [status] listen says otherwise). Its URL and random token are printed at start and \
            written to STATE/status.json. See docs/daemon.md and docs/status-api.md.

            Folders (unless [daemon] state/cache in station.toml set them): state is \
            \(StationFolders.rule(.state)); cache is \(StationFolders.rule(.cache)). \
            STATION_ID and FIL_WALLET_ADDRESS are given to the modules.

            SIGINT or SIGTERM stops the modules (each gets [supervisor] stop-deadline) and exits 0.

            Example: station daemon --config examples/daemon/station.toml
            """
    )

    @Option(name: .long, help: ArgumentHelp("The daemon's configuration file.", valueName: "station.toml"))
    var config: String

    @Flag(name: .long, help: "Print Station JSON event lines on stdout instead of readable lines on stderr.")
    var json = false

    @Flag(name: .long, help: "Check the configuration, print what each module gets, and exit.")
    var check = false

    @Option(name: .customLong("status-port"), help: ArgumentHelp("Serve the status API on this port instead of the configured one (0: any free port).", valueName: "PORT"))
    var statusPort: Int?

    @Flag(name: .customLong("no-status"), help: "Do not serve the status API and dashboard.")
    var noStatus = false

    func validate() throws {
        if let statusPort, !(0...65535).contains(statusPort) {
            throw ValidationError("--status-port must be between 0 and 65535, not \(statusPort)")
        }
    }

    func run() async throws {
        let configuration: DaemonConfiguration
        do {
            configuration = try ConfigLoader.load(path: config, checks: DaemonFieldChecks.make())
        } catch {
            FileHandle.standardError.write(Data("station daemon: \(config) has problems:\n\(error)\n".utf8))
            throw ExitCode(CommandExit.configuration)
        }
        if check {
            print(DaemonPlanReport.text(configuration))
            return
        }
        let output: any StationEventSink = json ? JSONLinesEventSink(fileDescriptor: 1) : ReadableEventSink(fileDescriptor: 2)
        var options = StationDaemon.Options(output: output, version: StationVersion.number)
        options.statusPort = statusPort
        options.statusDisabled = noStatus
        let daemon = StationDaemon(configuration: configuration, options: options)
        let signals = SignalWaiter()
        do {
            try await daemon.start()
        } catch {
            await daemon.stop()
            Diagnostics.report(module: "daemon", message: "\(error)")
            throw ExitCode(CommandExit.software)
        }
        await signals.wait()
        output.emit(.activity(module: "station", level: .info, message: "stopping (signal received)"))
        await daemon.stop()
    }
}

/// The checks `station.toml` values get beyond their type: the same parsers the runtime uses.
enum DaemonFieldChecks {
    static func make() -> FieldChecks {
        var checks = FieldChecks()
        checks.networkPattern = { pattern in
            do {
                _ = try NetworkPolicy(allowing: [pattern])
                return nil
            } catch {
                return "\(error)"
            }
        }
        checks.multiaddr = { text in
            do {
                _ = try Multiaddr(text)
                return nil
            } catch {
                return "not a multiaddr: \(error)"
            }
        }
        checks.cid = { text in
            do {
                _ = try CID(text)
                return nil
            } catch {
                return "not a CID: \(error)"
            }
        }
        // The module loader's own file rules (a regular file, within the size cap, a core module),
        // so --check refuses what every start would.
        checks.moduleFile = { path in ModuleLoader.checkFile(atPath: path) }
        checks.gatewayURL = { text in
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
                return "not an http(s) URL"
            }
            return nil
        }
        return checks
    }
}

/// `station daemon --check`: what each module gets after the budget is divided.
enum DaemonPlanReport {
    static func text(_ configuration: DaemonConfiguration) -> String {
        let modules = configuration.modules.filter(\.enabled)
        let plan = FairShare.plan(budget: configuration.budget, modules: modules, defaults: DaemonDefaults.moduleLimits)
        var lines = ["\(configuration.file): OK, \(modules.count) module(s) to run", "state: \(configuration.stateDirectory)", "cache: \(configuration.cacheDirectory)"]
        let budget = configuration.budget
        let totals = [
            budget.memoryBytes.map { "memory \(Units.formatBytes($0))" }, budget.cpuPercent.map { String(format: "%.1f%% cpu", $0) },
            budget.storageBytes.map { "storage \(Units.formatBytes($0))" },
        ].compactMap { $0 }
        lines.append("budget: \(totals.isEmpty ? "none (each module gets what it asks for)" : totals.joined(separator: ", "))")
        for module in configuration.modules {
            guard module.enabled, let limits = plan[module.name] else {
                lines.append("  \(module.name) \(module.version): disabled")
                continue
            }
            var grants: [String] = []
            if !module.grants.net.isEmpty { grants.append("net " + module.grants.net.joined(separator: " ")) }
            if !module.grants.p2p.isEmpty { grants.append("p2p " + module.grants.p2p.joined(separator: " ")) }
            if module.grants.ipfs { grants.append("ipfs") }
            if module.grants.kv { grants.append("kv") }
            if module.grants.files { grants.append("files") }
            // Every share: memory, cpu, and the files, KV and IPFS parts of the storage share.
            lines.append("  \(module.name) \(module.version) (\(module.source)): \(limits.summary(grants: module.grants)); grants: \(grants.isEmpty ? "none" : grants.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n")
    }
}
