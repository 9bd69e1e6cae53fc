import ArgumentParser
import Libp2p
import Multiformats
import NIOCore
import StationConfig

/// `station p2p listen`: listens and echoes streams until interrupted.
struct P2PListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Listen for peers and echo every stream on the given protocols until SIGINT/SIGTERM.",
        discussion: """
            Prints each bound listen address with /p2p/<peer ID> appended, one per line; the first \
            line is written as soon as the node listens, so scripts can read it and dial. Ping and \
            identify are always answered. Exit status 0 after SIGINT or SIGTERM.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Echo every stream opened with this protocol ID back to the sender (repeatable).", valueName: "PROTOCOL"))
    var echo: [String] = []

    @Option(name: .long, help: ArgumentHelp("Address to listen on (repeatable; default /ip4/127.0.0.1/tcp/0, port 0 picks a free port).", valueName: "MULTIADDR"))
    var listen: [String] = []

    @Option(name: .long, help: ArgumentHelp("State folder holding identity.key (default: \(StationFolders.rule(.state))).", valueName: "DIR"))
    var state: String?

    func run() async throws {
        do {
            for protocolID in echo where !protocolID.hasPrefix("/") {
                throw P2PFailure.badArgument("--echo takes a protocol ID starting with '/', not '\(protocolID)'")
            }
            let addresses = try (listen.isEmpty ? [P2PSupport.defaultListenAddress] : listen)
                .map { try P2PSupport.multiaddr($0, what: "listen address") }
            let identity = try P2PSupport.storedIdentity(state)
            // Catch signals before announcing the address: a script may stop us right after reading it.
            let signals = SignalWaiter()
            try await P2PSupport.withHost(identity: identity) { host in
                for protocolID in echo {
                    host.setStreamHandler(protocol: protocolID, handler: Self.echoStream)
                }
                for address in addresses {
                    let bound: Multiaddr
                    do {
                        bound = try await host.listen(on: address)
                    } catch {
                        throw P2PFailure.failed("cannot listen on \(address): \(P2PSupport.describe(error))")
                    }
                    P2PSupport.printNow(P2PSupport.withPeer(bound, host.peerID).description)
                }
                await signals.wait()
            }
        } catch {
            throw ExitCode(P2PSupport.report(error))
        }
    }

    /// Copies everything read from `stream` back to it, then half-closes and closes it.
    @Sendable static func echoStream(_ stream: Libp2pStream) async {
        do {
            while let chunk = try await stream.read(max: 64 * 1024) {
                try await stream.write(chunk)
            }
            try await stream.closeWrite()
            await stream.close()
        } catch {
            stream.reset()
        }
    }
}
