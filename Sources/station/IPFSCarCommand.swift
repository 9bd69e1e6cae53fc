import ArgumentParser
import Foundation
import IPFS
import Multiformats

/// `station ipfs car`: CARv1 export from and import into the repo.
struct IPFSCarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "car",
        abstract: "Export a DAG from the repo as a CAR file, or import a CAR file into the repo.",
        subcommands: [IPFSCarExportCommand.self, IPFSCarImportCommand.self]
    )
}

/// `station ipfs car export CID [-o FILE]`.
struct IPFSCarExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the DAG under CID as a CARv1 (depth-first, each block once) to -o FILE or stdout.",
        discussion: "A file is written under a temporary name and renamed when complete; nothing is left on failure."
    )

    @Argument(help: ArgumentHelp("Root of the DAG.", valueName: "CID"))
    var cid: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Output file (default: stdout).", valueName: "FILE"))
    var output: String?

    @OptionGroup var repoOptions: IPFSRepoOptions

    func run() async throws {
        do {
            let (root, path) = try IPFSSupport.contentPath(cid)
            guard path.isEmpty else { throw IPFSFailure.badArgument("car export takes a CID, not a path") }
            let store = try repoOptions.openStore()
            guard store.has(root) else { throw IPFSFailure.missingInput("\(root) is not in the repo") }
            guard let output else {
                let stdout = FileHandle.standardOutput
                let writer = try await CARWriter(roots: [root]) { bytes in try stdout.write(contentsOf: bytes) }
                try await writer.writeDAG(root: root, from: store)
                return
            }
            try await export(root, from: store, to: output)
        } catch {
            throw ExitCode(IPFSSupport.report(error))
        }
    }

    private func export(_ root: CID, from store: BlockStore, to output: String) async throws {
        let temporary = output + ".partial-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporary)
        else { throw IPFSFailure.failed("cannot create \(temporary)") }
        do {
            let writer = try await CARWriter(roots: [root]) { bytes in try handle.write(contentsOf: bytes) }
            try await writer.writeDAG(root: root, from: store)
            try handle.close()
            if FileManager.default.fileExists(atPath: output) { try FileManager.default.removeItem(atPath: output) }
            try FileManager.default.moveItem(atPath: temporary, toPath: output)
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }
}

/// `station ipfs car import FILE|-`.
struct IPFSCarImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Verify a CARv1/v2 file (or stdin with -) and store and pin its roots; prints each root CID.",
        discussion: """
            Every block is checked against its CID and the DAG under every root must be complete; \
            on any failure nothing is pinned.
            """
    )

    @Argument(help: ArgumentHelp("CAR file, or - for stdin.", valueName: "FILE"))
    var file: String

    @OptionGroup var repoOptions: IPFSRepoOptions

    func run() async throws {
        do {
            let path = file == "-" ? "/dev/stdin" : file
            if file != "-", !FileManager.default.fileExists(atPath: path) {
                throw IPFSFailure.missingInput("no such file: \(file)")
            }
            let store = try repoOptions.openStore()
            let bar = IPFSProgressBar(label: "importing", total: file == "-" ? nil : IPFSSupport.regularFileSize(path))
            let source = CountingByteSource(try FileByteSource(path: path)) { bar.update($0) }
            let report: CARReport
            do {
                report = try await CARImporter().importCAR(from: source, into: store, module: IPFSSupport.module)
                bar.finish()
            } catch {
                bar.finish()
                throw error
            }
            for root in report.roots { IPFSSupport.printNow(root.description) }
        } catch {
            throw ExitCode(IPFSSupport.report(error))
        }
    }
}
