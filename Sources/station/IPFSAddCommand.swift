import ArgumentParser
import Foundation
import IPFS
import Multiformats

/// `station ipfs add`: imports a file or folder as UnixFS (kubo's CIDs) and prints the root CID.
struct IPFSAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Import a file or folder into the repo and print its root CID (the same CID as `ipfs add`).",
        discussion: """
            Defaults are kubo's: CIDv0, 256 KiB chunks, dag-pb leaves, balanced layout, names \
            starting with "." skipped. --cid-version 1 turns raw leaves on unless --no-raw-leaves. \
            The root CID is the last line printed. The content is pinned in the repo.
            """
    )

    @Option(name: .customLong("cid-version"), help: ArgumentHelp("CID version: 0 (default) or 1.", valueName: "0|1"))
    var cidVersion = 0

    @Flag(inversion: .prefixedNo, help: "Store file chunks as raw blocks (default: on with --cid-version 1, off with 0).")
    var rawLeaves: Bool?

    @Option(name: .customLong("chunk-size"), help: ArgumentHelp("Bytes per chunk, 1...1048576 (default 262144).", valueName: "N"))
    var chunkSize = 262_144

    @Flag(name: [.customShort("H"), .long], help: "Include files and folders whose name starts with \".\".")
    var hidden = false

    @Flag(name: .customLong("only-hash"), help: "Compute the CID without storing anything.")
    var onlyHash = false

    @OptionGroup var repoOptions: IPFSRepoOptions

    @Argument(help: ArgumentHelp("File or folder to add.", valueName: "PATH"))
    var path: String

    func run() async throws {
        do {
            let options = UnixFSImportOptions(chunkSize: chunkSize, cidVersion: cidVersion, rawLeaves: rawLeaves, includeHidden: hidden)
            let importer: UnixFSImporter
            do {
                importer = try UnixFSImporter(options: options)
            } catch {
                throw IPFSFailure.badArgument(error.description)
            }
            guard FileManager.default.fileExists(atPath: path) else {
                throw IPFSFailure.missingInput("no such file or folder: \(path)")
            }
            let root = try await add(with: importer)
            IPFSSupport.printNow(root.description)
        } catch {
            throw ExitCode(IPFSSupport.report(error))
        }
    }

    /// Imports `path`; a single file streams through a counting source so a progress bar can follow it.
    private func add(with importer: UnixFSImporter) async throws -> CID {
        guard let size = IPFSSupport.regularFileSize(path) else {
            if onlyHash { return try await importer.importPath(path) { _ in }.root }
            return try await importer.importPath(at: URL(fileURLWithPath: path), into: repoOptions.openStore(), module: IPFSSupport.module).root
        }
        let bar = IPFSProgressBar(label: "adding", total: size)
        defer { bar.finish() }
        let source = CountingByteSource(try FileByteSource(path: path)) { bar.update($0) }
        if onlyHash { return try await importer.importFile(source) { _ in }.cid }
        return try await importer.importStream(source, into: repoOptions.openStore(), module: IPFSSupport.module).root
    }
}
