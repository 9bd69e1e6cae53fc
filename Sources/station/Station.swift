import ArgumentParser

/// The `station` command: runs untrusted WebAssembly modules behind hard limits.
@main
struct Station: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "station",
        abstract: "Run untrusted WebAssembly modules behind hard limits.",
        discussion: """
            A module gets only what you give it: the directories named with --dir, the environment \
            variables named with --env, and bounded memory, CPU, time and storage. Limits that are \
            not given on the command line keep safe defaults (see `station run --help`).

            Examples:
              station run examples/wat/hello.wat
              station run --dir ./data::/data --memory 64MiB --timeout 10s module.wasm arg1 arg2
              station run --invoke fib module.wasm 30
              station inspect module.wasm
              station daemon --config examples/daemon/station.toml
              station p2p id
            """,
        version: StationVersion.text,
        subcommands: [RunCommand.self, NewCommand.self, DaemonCommand.self, ModuleCommand.self, InspectCommand.self, VersionCommand.self, EngineCommand.self, P2PCommand.self, IPFSCommand.self]
    )
}

/// Version strings shown by `station version` and `--version`.
enum StationVersion {
    static let number = "0.1.0"
    static let text = "station \(number)"
}
