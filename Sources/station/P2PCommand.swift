import ArgumentParser
import StationConfig

/// `station p2p`: talk to libp2p peers from the command line (identity, listen, ping, request).
struct P2PCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "p2p",
        abstract: "Use Station's libp2p node: show its identity, listen, ping peers, send requests.",
        discussion: """
            The node speaks TCP + Noise + Yamux, identify and ping. Its identity (an Ed25519 key) \
            lives in the state folder: --state DIR, else \(StationFolders.rule(.state)). `ping` and `request` use a throwaway \
            identity unless --state is given.

            On failure one line `station: p2p: ...` goes to stderr and the exit status is \
            64 for a bad argument (e.g. a malformed multiaddr), 124 for a timeout, 1 otherwise.

            Examples:
              station p2p id
              station p2p listen --echo /test/echo/1.0.0
              station p2p ping /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW...
              echo hello | station p2p request /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW... /test/echo/1.0.0
            """,
        subcommands: [P2PIDCommand.self, P2PListenCommand.self, P2PPingCommand.self, P2PRequestCommand.self]
    )
}
