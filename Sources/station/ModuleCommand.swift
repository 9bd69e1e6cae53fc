import ArgumentParser
import Foundation
import StationConfig
import StationStatus

/// `station module`: talk to a running daemon.
struct ModuleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "module",
        abstract: "Show, restart or update the modules of a running daemon.",
        discussion: """
            These commands reach the running `station daemon` through its status API on 127.0.0.1, \
            with the address and token it wrote to STATE/status.json. STATE is found like the \
            daemon finds it: --state, else [daemon] state of --config, else \
            \(StationFolders.rule(.state)).

            Examples:
              station module status
              station module restart ticker
              station module update ticker bafkreib…   # fetch, check, then swap in the new code
            """,
        subcommands: [ModuleStatusCommand.self, ModuleRestartCommand.self, ModuleUpdateCommand.self]
    )
}

/// How the module commands find the daemon.
struct DaemonLocationOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The daemon's state folder.", valueName: "DIR"))
    var state: String?

    @Option(name: .long, help: ArgumentHelp("The daemon's station.toml (its [daemon] state is used).", valueName: "FILE"))
    var config: String?

    /// The running daemon's client.
    func client() throws -> StatusClient {
        let folder: String
        if let state {
            folder = state
        } else if let config {
            do {
                folder = try ConfigLoader.load(path: config).stateDirectory
            } catch {
                throw ModuleCommandError("\(config) has problems:\n\(error)")
            }
        } else {
            folder = ConfigLoader.defaultStateDirectory(environment: ProcessInfo.processInfo.environment)
        }
        do {
            return try StatusClient(endpointFile: URL(fileURLWithPath: folder).appendingPathComponent("status.json"))
        } catch {
            throw ModuleCommandError("\(error)")
        }
    }
}

struct ModuleStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "List the daemon's modules with their state, restarts and jobs.")

    @OptionGroup var location: DaemonLocationOptions

    @Flag(name: .long, help: "Print the status API's JSON.")
    var json = false

    func run() async throws {
        let snapshot = try await ModuleCommandError.reporting { try await location.client().status() }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.dateEncodingStrategy = .iso8601
            print(String(decoding: try encoder.encode(snapshot), as: UTF8.self))
            return
        }
        print("station \(snapshot.version), \(snapshot.modules.count) module(s), \(snapshot.jobsTotal) job(s) completed")
        for module in snapshot.modules {
            var line = "  \(module.name) \(module.version): \(module.state.rawValue), restarts \(module.restarts), jobs \(module.jobs)"
            if let reason = module.reason { line += " — \(reason)" }
            print(line)
        }
    }
}

struct ModuleRestartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restart", abstract: "Start a module again now (also un-parks it).")

    @OptionGroup var location: DaemonLocationOptions

    @Argument(help: "The module's name.")
    var name: String

    func run() async throws {
        try await ModuleCommandError.reporting { try await location.client().restart(module: name) }
        print("\(name): restarting")
    }
}

struct ModuleUpdateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update", abstract: "Fetch a module's new code by CID, check it, and swap it in.",
        discussion: "The daemon fetches CID through its block store (local blocks, Bitswap peers, gateways), checks that it is valid WebAssembly, and only then ends the module's current run and starts the new code. The choice holds across daemon restarts.")

    @OptionGroup var location: DaemonLocationOptions

    @Argument(help: "The module's name.")
    var name: String

    @Argument(help: "The CID of the new module (a UnixFS file).")
    var cid: String

    func run() async throws {
        let message = try await ModuleCommandError.reporting { try await location.client().update(module: name, cid: cid) }
        print(message)
    }
}

/// A module command failed: one line on stderr, exit status 1.
struct ModuleCommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }

    /// Runs `body`; prints any failure as one line and exits 1.
    static func reporting<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            FileHandle.standardError.write(Data("station module: \(error)\n".utf8))
            throw ExitCode(CommandExit.failure)
        }
    }
}
