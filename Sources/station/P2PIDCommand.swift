import ArgumentParser
import Libp2p
import StationConfig

/// `station p2p id`: prints our peer ID and the addresses `station p2p listen` would use.
struct P2PIDCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "id",
        abstract: "Print this node's peer ID and the listen addresses it would use.",
        discussion: """
            The first line is the peer ID (base58btc); each further line is a listen address with \
            /p2p/<peer ID> appended. The identity key is created in the state folder on first use.
            """
    )

    @Option(name: .long, help: ArgumentHelp("State folder holding identity.key (default: \(StationFolders.rule(.state))).", valueName: "DIR"))
    var state: String?

    func run() async throws {
        do {
            let identity = try P2PSupport.storedIdentity(state)
            let peer = PeerID(publicKey: identity.publicKey)
            let listen = try P2PSupport.multiaddr(P2PSupport.defaultListenAddress, what: "listen address")
            P2PSupport.printNow(peer.description)
            P2PSupport.printNow(P2PSupport.withPeer(listen, peer).description)
        } catch {
            throw ExitCode(P2PSupport.report(error))
        }
    }
}
