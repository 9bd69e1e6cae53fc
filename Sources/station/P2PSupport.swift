import Foundation
import Libp2p
import Multiformats
import NIOPosix
import SandboxEngine
import Units
import StationConfig
import StationHost

/// A failure of a `station p2p` command, with the exit status it ends in.
struct P2PFailure: Error, CustomStringConvertible {
    /// The one-line explanation printed after `station: p2p: `.
    var message: String
    /// The process exit status.
    var exitStatus: Int32

    static func badArgument(_ message: String) -> P2PFailure { P2PFailure(message: message, exitStatus: CommandExit.usage) }
    static func timedOut(_ message: String) -> P2PFailure { P2PFailure(message: message, exitStatus: CommandExit.limit) }
    static func failed(_ message: String) -> P2PFailure { P2PFailure(message: message, exitStatus: CommandExit.failure) }

    var description: String { message }
}

/// Shared pieces of the `station p2p` subcommands: state folder, argument parsing, host lifetime, errors.
enum P2PSupport {
    /// The listen address used when none is given.
    static let defaultListenAddress = SharedServices.defaultListenAddress

    /// `--state`, else the state folder every command uses (``StationFolders``).
    static func stateFolder(_ override: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        URL(fileURLWithPath: StationFolders.resolve(.state, explicit: override, environment: environment))
    }

    /// Our stored identity from the state folder.
    static func storedIdentity(_ override: String?) throws -> PrivateKey {
        let folder = stateFolder(override)
        do {
            return try IdentityStore.loadOrCreate(in: folder)
        } catch {
            throw P2PFailure.failed("\(error)")
        }
    }

    /// The stored identity when `--state` was given, else a fresh throwaway key.
    static func identity(state: String?) throws -> PrivateKey {
        guard state != nil else { return PrivateKey() }
        return try storedIdentity(state)
    }

    /// Parses a multiaddr argument, naming the option on failure.
    static func multiaddr(_ text: String, what: String) throws -> Multiaddr {
        do {
            return try Multiaddr(text)
        } catch {
            throw P2PFailure.badArgument("invalid \(what) '\(text)': \(error)")
        }
    }

    /// Parses a duration such as `500ms` or `10s`.
    static func duration(_ text: String, what: String) throws -> Duration {
        let value: Duration
        do {
            value = try Units.parseDuration(text)
        } catch {
            throw P2PFailure.badArgument("invalid \(what) '\(text)': \(error)")
        }
        guard value > .zero else { throw P2PFailure.badArgument("\(what) must be positive, not '\(text)'") }
        return value
    }

    /// `address` followed by `/p2p/<peer>`.
    static func withPeer(_ address: Multiaddr, _ peer: PeerID) -> Multiaddr {
        address.encapsulate(Multiaddr.Component.p2p(peer.multihash))
    }

    /// Dials `address`, naming it in the error when the connection cannot be made.
    static func connect(_ host: Libp2pHost, to address: Multiaddr) async throws -> Connection {
        do {
            return try await host.connect(to: address)
        } catch Libp2pError.connectionClosed {
            throw P2PFailure.failed("cannot connect to \(address): connection refused or closed during the handshake")
        } catch {
            throw P2PFailure.failed("cannot connect to \(address): \(describe(error))")
        }
    }

    /// Runs `body` with a host on a one-thread event-loop group; closes both afterwards.
    static func withHost(identity: PrivateKey, configuration: HostConfiguration = HostConfiguration(), _ body: (Libp2pHost) async throws -> Void) async throws {
        // No identify of our own on connect: it would run as a background task that can outlive
        // the event loops we shut down below. We still answer identify requests from peers.
        var configuration = configuration
        configuration.identifyOnConnect = false
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let host = Libp2pHost(identity: identity, group: group, configuration: configuration)
        do {
            try await body(host)
        } catch {
            await host.close()
            try? await group.shutdownGracefully()
            throw error
        }
        await host.close()
        try? await group.shutdownGracefully()
    }

    /// The shape of `p2p ping` and `p2p request`: parses the peer's `address`, `timeout` and the
    /// `state` folder, dials with the whole run under the deadline (its failure says
    /// "`action(target)` timed out after `timeout`"), opens one stream for `protocolID` and runs
    /// `body` on it. The stream is reset if `body` throws, closed otherwise.
    static func withStream(
        to address: String, protocolID: String, timeout: String, state: String?,
        action: (Multiaddr) -> String, _ body: (Libp2pStream) async throws -> Void
    ) async throws {
        let target = try multiaddr(address, what: "address")
        let limit = try duration(timeout, what: "--timeout")
        let identity = try identity(state: state)
        let watchdog = P2PDeadline.start(after: limit, message: "\(action(target)) timed out after \(timeout)")
        defer { watchdog.cancel() }
        var configuration = HostConfiguration()
        configuration.handshakeTimeout = limit
        try await withHost(identity: identity, configuration: configuration) { host in
            let connection = try await connect(host, to: target)
            let stream = try await host.newStream(on: connection, protocols: [protocolID])
            do {
                try await body(stream)
            } catch {
                stream.reset()
                throw error
            }
            await stream.close()
        }
    }

    /// Writes `text` to stdout at once (unbuffered), so a reader sees it before we go on.
    static func printNow(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Prints the one-line error for `error` and returns the exit code to throw.
    static func report(_ error: Error) -> Int32 {
        let failure = (error as? P2PFailure) ?? .failed(describe(error))
        reportLine(failure.message)
        return failure.exitStatus
    }

    /// Writes `station: p2p: <message>` to stderr.
    static func reportLine(_ message: String) {
        let line = message.replacingOccurrences(of: "\n", with: " ")
        FileHandle.standardError.write(Data("station: p2p: \(line)\n".utf8))
    }

    /// A readable description of a networking error.
    static func describe(_ error: Error) -> String {
        switch error {
        case let error as Libp2pError: return error.description
        case let error as MultiformatsError: return error.description
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return "\(first.error)" }
            return "no address of \(error.host) could be reached"
        default: return String(describing: error)
        }
    }
}
