import ArgumentParser
import Foundation
import Libp2p
import NIOCore

/// `station p2p request`: sends stdin on a new stream and prints the reply.
struct P2PRequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Send standard input on a new stream and print the reply.",
        discussion: """
            Opens a stream for PROTOCOL to the peer, copies standard input to it as it is read \
            (in chunks of 256 KiB, so input of any size costs little memory), half-closes the \
            stream at the end of the input, and copies every reply byte to standard output unchanged \
            until the remote closes. Exit status 0 when the remote closed its side, 124 on --timeout.
            """
    )

    @Argument(help: ArgumentHelp("The peer, e.g. /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW...", valueName: "MULTIADDR"))
    var address: String

    @Argument(help: ArgumentHelp("The protocol ID to open, e.g. /test/echo/1.0.0.", valueName: "PROTOCOL"))
    var protocolID: String

    @Option(name: .long, help: ArgumentHelp("Give up after this long in total (e.g. 500ms, 10s).", valueName: "DURATION"))
    var timeout: String = "10s"

    @Option(name: .long, help: ArgumentHelp("Use the identity in this state folder instead of a throwaway one.", valueName: "DIR"))
    var state: String?

    func run() async throws {
        do {
            guard protocolID.hasPrefix("/") else {
                throw P2PFailure.badArgument("PROTOCOL must start with '/', not '\(protocolID)'")
            }
            try await P2PSupport.withStream(
                to: address, protocolID: protocolID, timeout: timeout, state: state, action: { "request to \($0)" }
            ) { stream in
                // Write and read at once: a peer that answers while still reading (an echo)
                // would otherwise stall once both receive windows are full.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        // One chunk in flight: the next is read once the stream took this
                        // one, so a slow peer slows the reading instead of filling memory.
                        while let chunk = try await Self.readStandardInput(upTo: 256 << 10) {
                            try await stream.write(chunk)
                        }
                        try await stream.closeWrite()
                    }
                    while let chunk = try await stream.read(max: 64 * 1024) {
                        FileHandle.standardOutput.write(Data(chunk.readableBytesView))
                    }
                    try await group.waitForAll()
                }
            }
        } catch {
            throw ExitCode(P2PSupport.report(error))
        }
    }

    /// The next bytes of standard input (at most `count`), or nil at its end. The blocking read
    /// runs on a Dispatch thread, never on the cooperative pool that runs the libp2p host.
    static func readStandardInput(upTo count: Int) async throws -> ByteBuffer? {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var buffer = ByteBuffer()
                while true {
                    var got = 0
                    buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
                        got = read(STDIN_FILENO, raw.baseAddress, count)
                        return max(got, 0)  // the bytes written; a failure writes none
                    }
                    if got >= 0 {
                        continuation.resume(returning: got == 0 ? nil : buffer)
                        return
                    }
                    if errno == EINTR { continue }
                    let reason = String(cString: strerror(errno))
                    continuation.resume(throwing: P2PFailure.failed("cannot read standard input: \(reason)"))
                    return
                }
            }
        }
    }
}
