import Foundation
import StationTestSupport
import Testing
@testable import IPFS
import Multiformats

/// Hand-built DAGs whose nodes link the same blocks over and over: a handful of blocks that expand
/// to a huge file or tree. Every call must stop at `maxBlockLoads`, not run (or write) for ever.
@Suite("UnixFS repeated links")
struct UnixFSRepeatedLinksTests {
    /// Serves blocks from memory and counts loads. It gives up with `Runaway` far past the limit
    /// under test, so without a load limit a test fails (with that error) instead of hanging.
    final class CountingProvider: BlockProvider, @unchecked Sendable {
        struct Runaway: Error {}
        private let blocks: [CID: Block]
        private let giveUpAfter: Int
        private let lock = NSLock()
        private var count = 0

        init(_ list: [Block], giveUpAfter: Int) {
            var blocks: [CID: Block] = [:]
            for block in list { blocks[block.cid] = block }
            self.blocks = blocks
            self.giveUpAfter = giveUpAfter
        }

        var loads: Int {
            lock.lock()
            defer { lock.unlock() }
            return count
        }

        /// Counts one load; returns the count so far.
        private func take() -> Int {
            lock.lock()
            defer { lock.unlock() }
            count += 1
            return count
        }

        func block(for cid: CID) async throws -> Block? {
            guard take() <= giveUpAfter else { throw Runaway() }
            return blocks[cid]
        }
    }

    /// A file node with `fanout` links to `child` (a file of `childSize` bytes).
    private func repeating(_ child: Block, childSize: UInt64, fanout: Int) -> Block {
        dagPBBlock(
            links: Array(repeating: DagPBLink(cid: child.cid, name: "", totalSize: UInt64(child.data.count)), count: fanout),
            unixfs: UnixFSData(kind: .file, fileSize: childSize * UInt64(fanout),
                               blockSizes: Array(repeating: childSize, count: fanout)))
    }

    /// Four blocks, 64³ = 262 144 one-byte leaves.
    private func repeatingFile() -> (root: Block, blocks: [Block]) {
        let leaf = Block(data: [7], codec: .raw, version: 1)
        let mid = repeating(leaf, childSize: 1, fanout: 64)
        let upper = repeating(mid, childSize: 64, fanout: 64)
        let root = repeating(upper, childSize: 64 * 64, fanout: 64)
        return (root, [leaf, mid, upper, root])
    }

    @Test func defaultLoadLimitIsDerivedFromTheLinkLimit() {
        #expect(UnixFSExportLimits().maxBlockLoads == 4 * 1024 * 1024)
        #expect(UnixFSExportLimits(maxLinksPerFileNode: 10).maxBlockLoads == 400)
        #expect(UnixFSExportLimits(maxLinksPerFileNode: Int.max).maxBlockLoads == Int.max)
        #expect(UnixFSExportLimits(maxBlockLoads: 7).maxBlockLoads == 7)
    }

    @Test func readingAFileThatRepeatsItsLinksStopsAtTheLoadLimit() async throws {
        let (root, blocks) = repeatingFile()
        let provider = CountingProvider(blocks, giveUpAfter: 20_000)
        let exporter = UnixFSExporter(provider: provider, limits: UnixFSExportLimits(maxBlockLoads: 2000))
        // It declares a consistent size, so only the loads give it away.
        #expect(try await exporter.kind(of: root.cid) == .file(size: 64 * 64 * 64))
        var produced = 0
        await #expect(throws: IPFSError.tooManyBlockLoads(limit: 2000)) {
            try await exporter.read(root.cid) { produced += $0.count }
        }
        #expect(provider.loads == 1 + 2000)  // kind(of:) above, then the read's budget
        #expect(produced < 2000)
        // A range inside the file gets a fresh budget: a small one still reads.
        #expect(try await readAll(exporter, root.cid, range: 100 ..< 110) == Array(repeating: 7, count: 10))
    }

    @Test func wellFormedFileWithAsManyBlocksReadsUnderTheSameLimit() async throws {
        let bytes = pseudoRandomBytes(count: 50_000, seed: 21)
        var blocks: [Block] = []
        let root = try await UnixFSImporter(options: UnixFSImportOptions(chunkSize: 100, cidVersion: 1))
            .importFile(ArrayByteSource(bytes)) { blocks.append($0) }
        let provider = CountingProvider(blocks, giveUpAfter: 20_000)
        // 500 leaves and 1 root: kind, the root again, every leaf once.
        let exporter = UnixFSExporter(provider: provider, limits: UnixFSExportLimits(maxBlockLoads: blocks.count + 1))
        #expect(try await readAll(exporter, root.cid) == bytes)
        #expect(provider.loads == blocks.count + 1)
    }

    @Test func exportingADirectoryThatRepeatsOneSubdirectoryStopsAtTheLoadLimit() async throws {
        // Five blocks: 16⁴ = 65 536 paths to one one-byte file.
        let file = dagPBBlock(links: [], unixfs: UnixFSData(kind: .file, data: [1], fileSize: 1))
        var blocks = [file]
        var current = file
        for _ in 0 ..< 4 {
            current = dagPBBlock(
                links: (0 ..< 16).map { DagPBLink(cid: current.cid, name: "e\($0)", totalSize: UInt64(current.data.count)) },
                unixfs: UnixFSData(kind: .directory))
            blocks.append(current)
        }
        let provider = CountingProvider(blocks, giveUpAfter: 20_000)
        let exporter = UnixFSExporter(provider: provider, limits: UnixFSExportLimits(maxBlockLoads: 500))
        let directory = try TemporaryDirectory()
        let out = directory.url.appendingPathComponent("out")
        await #expect(throws: IPFSError.tooManyBlockLoads(limit: 500)) {
            try await exporter.export(current.cid, to: out)
        }
        #expect(provider.loads == 500)
        let written = FileManager.default.enumerator(atPath: out.path)?.allObjects.count ?? 0
        #expect(written > 0 && written < 500)
    }

    @Test func gatewayWalkOfAFileThatRepeatsItsLinksStopsAtTheLoadLimit() async throws {
        // The CAR walk visits each block once but must walk a repeated child again for its part
        // of the range: without a limit, 262 144 leaf loads for a four-block response.
        let (root, blocks) = repeatingFile()
        let provider = CountingProvider(blocks, giveUpAfter: 20_000)
        let walker = ScopedDAGWalker(provider: provider, limits: UnixFSExportLimits(maxBlockLoads: 2000))
        var visited: [CID] = []
        await #expect(throws: IPFSError.tooManyBlockLoads(limit: 2000)) {
            try await walker.walk(GatewayRequest(root: root.cid, scope: .entity)) { visited.append($0.cid) }
        }
        #expect(provider.loads == 2000)
        #expect(Set(visited) == Set(blocks.map(\.cid)))
        // The gateway answers a client error, not a server failure.
        #expect(GatewayResponder.status(for: .tooManyBlockLoads(limit: 2000)) == 400)
    }
}
