import Foundation
import StationTestSupport
import Testing
@testable import IPFS
import Multiformats

/// An in-memory provider for hand-built DAGs.
private struct MemoryProvider: BlockProvider {
    var blocks: [CID: Block] = [:]
    init(_ list: [Block]) { for block in list { blocks[block.cid] = block } }
    func block(for cid: CID) async throws -> Block? { blocks[cid] }
}

@Suite("UnixFSExporter")
struct UnixFSExporterTests {
    private func importBytes(_ bytes: [UInt8], options: UnixFSImportOptions) async throws -> (CID, MemoryProvider) {
        var blocks: [Block] = []
        let root = try await UnixFSImporter(options: options).importFile(ArrayByteSource(bytes)) { blocks.append($0) }
        return (root.cid, MemoryProvider(blocks))
    }

    @Test(arguments: [UnixFSImportOptions(chunkSize: 1000), UnixFSImportOptions(chunkSize: 1000, cidVersion: 1)])
    func byteRangesMatchTheSameSliceOfTheInput(options: UnixFSImportOptions) async throws {
        let bytes = pseudoRandomBytes(count: 180_500, seed: 11)
        let (root, provider) = try await importBytes(bytes, options: options)
        let exporter = UnixFSExporter(provider: provider)
        #expect(try await readAll(exporter, root) == bytes)
        for (lower, upper) in [(0, 1), (999, 1001), (174_000, 175_999), (5, 180_500), (180_499, 180_500), (100, 200)] {
            let range = UInt64(lower) ..< UInt64(upper)
            #expect(try await readAll(exporter, root, range: range) == Array(bytes[lower ..< upper]), "range \(range)")
        }
        // A range past the end is clamped; one starting past the end is refused.
        #expect(try await readAll(exporter, root, range: 180_000 ..< 999_999) == Array(bytes[180_000...]))
        await #expect(throws: IPFSError.rangeNotSatisfiable(lower: 200_000, upper: 200_001, fileSize: 180_500)) {
            _ = try await readAll(exporter, root, range: 200_000 ..< 200_001)
        }
    }

    @Test func sinkReceivesPiecesInOrderAndNeverMoreThanOneLeafAtATime() async throws {
        let bytes = pseudoRandomBytes(count: 10_000, seed: 12)
        let (root, provider) = try await importBytes(bytes, options: UnixFSImportOptions(chunkSize: 999))
        var pieces: [[UInt8]] = []
        try await UnixFSExporter(provider: provider).read(root) { pieces.append($0) }
        #expect(pieces.count == 11)
        #expect(pieces.allSatisfy { $0.count <= 999 })
        #expect(Array(pieces.joined()) == bytes)
    }

    @Test func directoryListingPathsAndExportToDisk() async throws {
        let directory = try TemporaryDirectory()
        try directory.write(Array("alpha".utf8), to: "tree/a.txt")
        try directory.write(pseudoRandomBytes(count: 300_000, seed: 13), to: "tree/sub/b.bin")
        let store = try makeStore(directory)
        let result = try await UnixFSImporter().importPath(
            at: directory.url.appendingPathComponent("tree"), into: store, module: "m")
        let exporter = UnixFSExporter(provider: store)
        #expect(try await exporter.kind(of: result.root) == .directory)
        #expect(try await exporter.list(result.root).map(\.name) == ["a.txt", "sub"])
        let b = try await exporter.resolve(result.root, path: "/sub/b.bin")
        #expect(try await exporter.kind(of: b) == .file(size: 300_000))
        await #expect(throws: IPFSError.pathNotFound("nope")) { _ = try await exporter.resolve(result.root, path: "sub/nope") }
        await #expect(throws: IPFSError.unsafeEntryName("..")) { _ = try await exporter.resolve(result.root, path: "sub/../a.txt") }
        let out = directory.url.appendingPathComponent("out")
        try await exporter.export(result.root, to: out)
        #expect(try Data(contentsOf: out.appendingPathComponent("a.txt")) == Data("alpha".utf8))
        #expect(try Data(contentsOf: out.appendingPathComponent("sub/b.bin")) == Data(pseudoRandomBytes(count: 300_000, seed: 13)))
    }

    @Test(arguments: ["..", "a/b", ".", ""])
    func exportRefusesUnsafeEntryNames(name: String) async throws {
        let file = dagPBBlock(links: [], unixfs: UnixFSData(kind: .file, data: [1], fileSize: 1))
        let dir = dagPBBlock(
            links: [DagPBLink(cid: file.cid, name: name, totalSize: UInt64(file.data.count))],
            unixfs: UnixFSData(kind: .directory))
        let directory = try TemporaryDirectory()
        let out = directory.url.appendingPathComponent("out")
        await #expect(throws: IPFSError.unsafeEntryName(name)) {
            try await UnixFSExporter(provider: MemoryProvider([file, dir])).export(dir.cid, to: out)
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test func nodeClaimingAHugeFileSizeIsRefused() async throws {
        let leaf = Block(data: [1, 2, 3], codec: .raw, version: 1)
        // Root claims 1 TiB but its single child holds 3 bytes.
        let liar = dagPBBlock(
            links: [DagPBLink(cid: leaf.cid, name: "", totalSize: 3)],
            unixfs: UnixFSData(kind: .file, fileSize: 1 << 40, blockSizes: [1 << 40]))
        let exporter = UnixFSExporter(provider: MemoryProvider([leaf, liar]))
        await #expect(throws: IPFSError.invalidUnixFS("leaf holds 3 bytes but its parent says 1099511627776")) {
            _ = try await readAll(exporter, liar.cid)
        }
        // filesize disagreeing with the block sizes is refused before any read.
        let inconsistent = dagPBBlock(
            links: [DagPBLink(cid: leaf.cid, name: "", totalSize: 3)],
            unixfs: UnixFSData(kind: .file, fileSize: 1 << 40, blockSizes: [3]))
        await #expect(throws: IPFSError.invalidUnixFS("node claims 1099511627776 bytes but holds 3")) {
            _ = try await UnixFSExporter(provider: MemoryProvider([leaf, inconsistent])).kind(of: inconsistent.cid)
        }
    }

    @Test func nodeWithThousandsOfLinksIsRefused() async throws {
        let leaf = Block(data: [7], codec: .raw, version: 1)
        let links = Array(repeating: DagPBLink(cid: leaf.cid, name: "", totalSize: 1), count: 5000)
        let wide = dagPBBlock(
            links: links, unixfs: UnixFSData(kind: .file, fileSize: 5000, blockSizes: Array(repeating: 1, count: 5000)))
        let exporter = UnixFSExporter(provider: MemoryProvider([leaf, wide]))
        await #expect(throws: IPFSError.tooManyLinks(count: 5000, limit: 1024)) { _ = try await readAll(exporter, wide.cid) }
    }

    @Test func missingBlockIsReported() async throws {
        let bytes = pseudoRandomBytes(count: 5000, seed: 14)
        let (root, imported) = try await importBytes(bytes, options: UnixFSImportOptions(chunkSize: 1000, cidVersion: 1))
        var provider = imported
        let leaf = try #require(provider.blocks.keys.first { $0.contentCodec == .raw })
        provider.blocks[leaf] = nil
        await #expect(throws: IPFSError.blockNotFound(cid: leaf.description)) {
            _ = try await readAll(UnixFSExporter(provider: provider), root)
        }
    }
}
