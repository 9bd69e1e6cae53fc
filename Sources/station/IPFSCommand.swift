import ArgumentParser
import StationConfig

/// `station ipfs`: add, fetch, export and serve IPFS content from the command line.
struct IPFSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipfs",
        abstract: "Add, fetch, export and serve IPFS content (UnixFS, CAR, trustless gateway).",
        discussion: """
            Content lives in a block store (the repo): --repo DIR, else ipfs/ in the state folder \
            (\(StationFolders.rule(.state))). \
            Content added, imported or fetched is pinned in the repo (for the module "cli").

            Fetching trusts no gateway: every block is checked against its CID and the DAG is \
            walked from the requested root; a gateway that sends a bad, incomplete or late answer \
            is skipped for the next one. Long transfers draw a progress bar on stderr when it is a \
            terminal, and stay quiet when it is piped.

            On failure one line `station: ipfs: ...` goes to stderr and the exit status is \
            64 for a bad argument, 66 for missing input, 69 when no gateway could deliver, 1 otherwise.

            Examples:
              station ipfs add --cid-version 1 photo.jpg
              station ipfs serve --listen 127.0.0.1:8080
              station ipfs get bafy.../docs/a.pdf -o a.pdf --gateway http://127.0.0.1:8080
              station ipfs car export bafy... -o dag.car
              station ipfs car import dag.car
            """,
        subcommands: [IPFSAddCommand.self, IPFSGetCommand.self, IPFSProvidersCommand.self, IPFSCarCommand.self, IPFSServeCommand.self]
    )
}
