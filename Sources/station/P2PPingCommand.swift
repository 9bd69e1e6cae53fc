import ArgumentParser
import Foundation
import Libp2p

/// `station p2p ping`: measures round trips to a peer over `/ipfs/ping/1.0.0`.
struct P2PPingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping",
        abstract: "Ping a peer over /ipfs/ping/1.0.0 and print each round-trip time.",
        discussion: """
            Prints one line per round trip, e.g. `seq=1 time=0.42 ms`. With /p2p/<peer ID> in the \
            address the remote must prove that identity. Exit status 0 when every ping was answered.
            """
    )

    @Argument(help: ArgumentHelp("The peer, e.g. /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW...", valueName: "MULTIADDR"))
    var address: String

    @Option(name: .long, help: ArgumentHelp("Number of round trips (1-1000).", valueName: "N"))
    var count: Int = 3

    @Option(name: .long, help: ArgumentHelp("Give up after this long in total (e.g. 500ms, 10s).", valueName: "DURATION"))
    var timeout: String = "10s"

    @Option(name: .long, help: ArgumentHelp("Use the identity in this state folder instead of a throwaway one.", valueName: "DIR"))
    var state: String?

    func run() async throws {
        do {
            guard (1...1000).contains(count) else {
                throw P2PFailure.badArgument("--count must be between 1 and 1000, not \(count)")
            }
            // Our own loop over the ping stream (not `host.ping`): each line is printed as it
            // happens, and the stream is closed before the event loops shut down.
            try await P2PSupport.withStream(
                to: address, protocolID: Ping.protocolID, timeout: timeout, state: state, action: { "ping \($0)" }
            ) { stream in
                for sequence in 1...count {
                    let time = try await Self.roundTrip(on: stream)
                    let milliseconds = Double(time.components.seconds) * 1e3 + Double(time.components.attoseconds) / 1e15
                    P2PSupport.printNow(String(format: "seq=%d time=%.2f ms", sequence, milliseconds))
                }
            }
        } catch {
            throw ExitCode(P2PSupport.report(error))
        }
    }

    /// Sends one random ping payload and waits for the identical echo; returns the round-trip time.
    static func roundTrip(on stream: Libp2pStream) async throws -> Duration {
        var generator = SystemRandomNumberGenerator()
        let payload = (0..<Ping.payloadLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let clock = ContinuousClock()
        let start = clock.now
        try await stream.write(payload)
        var reply = try await stream.readExactly(Ping.payloadLength)
        let elapsed = clock.now - start
        guard reply.readBytes(length: reply.readableBytes) == payload else {
            throw P2PFailure.failed("ping reply does not match what was sent")
        }
        return elapsed
    }
}
