import ArgumentParser
import Bitswap
import Foundation
import IPFS
import IPFSGateway
import Multiformats
import SandboxEngine
import Units
import StationConfig
import StationHost

/// A failure of a `station ipfs` command, with the exit status it ends in.
struct IPFSFailure: Error, CustomStringConvertible {
    /// The one-line explanation printed after `station: ipfs: `.
    var message: String
    /// The process exit status.
    var exitStatus: Int32

    static func badArgument(_ message: String) -> IPFSFailure { IPFSFailure(message: message, exitStatus: CommandExit.usage) }
    static func missingInput(_ message: String) -> IPFSFailure { IPFSFailure(message: message, exitStatus: CommandExit.missingInput) }
    static func unavailable(_ message: String) -> IPFSFailure { IPFSFailure(message: message, exitStatus: CommandExit.unavailable) }
    static func failed(_ message: String) -> IPFSFailure { IPFSFailure(message: message, exitStatus: CommandExit.failure) }

    var description: String { message }
}

/// The `--repo` option shared by every `station ipfs` subcommand.
struct IPFSRepoOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Block store folder (default: ipfs/ in the state folder: \(StationFolders.rule(.state))).", valueName: "DIR"))
    var repo: String?

    /// Opens (or creates) the block store.
    func openStore() throws -> BlockStore {
        let folder = IPFSSupport.repoFolder(repo)
        do {
            return try BlockStore(.init(directory: folder))
        } catch {
            throw IPFSFailure.failed("cannot open the repo at \(folder.path): \(IPFSSupport.describe(error))")
        }
    }
}

/// Shared pieces of the `station ipfs` subcommands.
enum IPFSSupport {
    /// The module name the command line pins content for.
    static let module = "cli"

    /// `--repo`, else `ipfs/` in the state folder (``StationFolders``).
    static func repoFolder(_ override: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let override, !override.isEmpty { return URL(fileURLWithPath: override) }
        return P2PSupport.stateFolder(nil, environment: environment).appendingPathComponent("ipfs")
    }

    /// Parses `CID[/path]`, `/ipfs/CID[/path]` or `ipfs://CID[/path]`; refuses "." and ".." segments.
    static func contentPath(_ text: String) throws -> (root: CID, path: [String]) {
        var rest = Substring(text)
        if rest.hasPrefix("ipfs://") { rest = rest.dropFirst("ipfs://".count) }
        else if rest.hasPrefix("/ipfs/") { rest = rest.dropFirst("/ipfs/".count) }
        let segments = rest.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let first = segments.first else { throw IPFSFailure.badArgument("expected CID[/path], got '\(text)'") }
        let root: CID
        do {
            root = try CID(first)
        } catch {
            throw IPFSFailure.badArgument("invalid CID '\(first.prefix(100))': \(error)")
        }
        let path = Array(segments.dropFirst())
        for segment in path {
            do {
                try UnixFSEntryName.validate(segment)
            } catch {
                throw IPFSFailure.badArgument("\(error.description) in '\(text.prefix(200))'")
            }
        }
        return (root, path)
    }

    /// Parses a duration option such as `500ms` or `30s`.
    static func duration(_ text: String, what: String) throws -> Duration {
        let value: Duration
        do {
            value = try Units.parseDuration(text)
        } catch {
            throw IPFSFailure.badArgument("invalid \(what) '\(text)': \(error)")
        }
        guard value > .zero else { throw IPFSFailure.badArgument("\(what) must be positive, not '\(text)'") }
        return value
    }

    /// Writes `text` and a newline to stdout at once (unbuffered).
    static func printNow(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Writes `station: ipfs: LINE` to stderr at once.
    static func printError(_ line: String) {
        FileHandle.standardError.write(Data("station: ipfs: \(line.replacingOccurrences(of: "\n", with: " "))\n".utf8))
    }

    /// Prints the one-line error for `error` and returns the exit code to throw.
    static func report(_ error: Error) -> Int32 {
        let failure: IPFSFailure
        switch error {
        case let error as IPFSFailure: failure = error
        case let error as GatewayClientError: failure = .unavailable(error.description)
        case let error as ContentRouterError: failure = .unavailable(error.description)
        case let error as P2PFailure: failure = IPFSFailure(message: error.message, exitStatus: error.exitStatus)
        default: failure = .failed(describe(error))
        }
        let line = failure.message.replacingOccurrences(of: "\n", with: " ")
        FileHandle.standardError.write(Data("station: ipfs: \(line)\n".utf8))
        return failure.exitStatus
    }

    /// A readable description of any error the IPFS layer throws.
    static func describe(_ error: Error) -> String {
        switch error {
        case let error as IPFSError: return error.description
        case let error as MultiformatsError: return error.description
        case let error as GatewayClientError: return error.description
        case let error as IPFSFailure: return error.message
        case let error as BitswapError: return error.description
        case let error as P2PFailure: return error.message
        case let error as StationError: return error.message
        default: return String(describing: error)
        }
    }

    /// Size of the regular file at `path`, or nil for anything else.
    static func regularFileSize(_ path: String) -> UInt64? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular
        else { return nil }
        return (attributes[.size] as? NSNumber)?.uint64Value
    }
}

/// Passes a `ByteSource` through, reporting the running byte count (drives progress bars).
final class CountingByteSource: ByteSource {
    private let source: ByteSource
    private let onProgress: (UInt64) -> Void
    private var total: UInt64 = 0

    init(_ source: ByteSource, onProgress: @escaping (UInt64) -> Void) {
        self.source = source
        self.onProgress = onProgress
    }

    func read(upTo maxCount: Int) async throws -> [UInt8] {
        let bytes = try await source.read(upTo: maxCount)
        total += UInt64(bytes.count)
        onProgress(total)
        return bytes
    }
}
