import Foundation
import StationTestSupport
import Testing
@testable import IPFS
import Multiformats

@Suite("CAR verification and import")
struct CARVerificationTests {
    @Test func completeCARVerifies() async throws {
        let (root, leaves) = smallDAG()
        let bytes = try await carBytes(roots: [root.cid], blocks: [root] + leaves)
        let report = try await CARVerifier().verify(ArrayByteSource(bytes))
        #expect(report == CARReport(roots: [root.cid], blocks: 3, duplicateBlocks: 0, unreachableBlocks: 0, blockBytes: UInt64(root.data.count + 5)))
    }

    @Test func missingBlockMakesTheCARIncomplete() async throws {
        let (root, leaves) = smallDAG()
        let bytes = try await carBytes(roots: [root.cid], blocks: [root, leaves[0]])
        await #expect(throws: IPFSError.incompleteCAR(missing: leaves[1].cid.description)) {
            _ = try await CARVerifier().verify(ArrayByteSource(bytes))
        }
    }

    @Test func extraBlocksAreReportedOrRefusedWhenStrict() async throws {
        let (root, leaves) = smallDAG()
        let extra = Block(data: Array("extra".utf8), codec: .raw, version: 1)
        let bytes = try await carBytes(roots: [root.cid], blocks: [root] + leaves + [extra])
        #expect(try await CARVerifier().verify(ArrayByteSource(bytes)).unreachableBlocks == 1)
        await #expect(throws: IPFSError.unexpectedBlockInCAR(cid: extra.cid.description)) {
            _ = try await CARVerifier(policy: CARVerificationPolicy(rejectUnreachableBlocks: true)).verify(ArrayByteSource(bytes))
        }
    }

    @Test func duplicatedBlocksAreCountedOnce() async throws {
        let (root, leaves) = smallDAG()
        let bytes = try await carBytes(roots: [root.cid], blocks: [root] + leaves + [leaves[0], root])
        let report = try await CARVerifier().verify(ArrayByteSource(bytes))
        #expect(report.blocks == 5 && report.duplicateBlocks == 2 && report.unreachableBlocks == 0)
    }

    @Test func importStoresAndPinsAndExportRoundTrips() async throws {
        let directory = try TemporaryDirectory()
        let source = try makeStore(directory)
        let bytes = pseudoRandomBytes(count: 600_000, seed: 21)
        let imported = try await UnixFSImporter().importStream(ArrayByteSource(bytes), into: source, module: "a")
        var car: [UInt8] = []
        let writer = try await CARWriter(roots: [imported.root]) { car += $0 }
        try await writer.writeDAG(root: imported.root, from: source)

        let other = try TemporaryDirectory()
        let target = try makeStore(other)
        let report = try await CARImporter().importCAR(from: ArrayByteSource(car), into: target, module: "b")
        #expect(report.blocks == imported.blockCount)
        #expect(target.pins(module: "b") == [imported.root])
        #expect(try target.collectGarbage().removedBlocks == 0)
        #expect(try await readAll(UnixFSExporter(provider: target), imported.root) == bytes)
    }

    @Test func incompleteCARImportPinsNothingAndLeavesNothing() async throws {
        let (root, leaves) = smallDAG()
        let bytes = try await carBytes(roots: [root.cid], blocks: [root, leaves[1]])
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        await #expect(throws: IPFSError.incompleteCAR(missing: leaves[0].cid.description)) {
            _ = try await CARImporter().importCAR(from: ArrayByteSource(bytes), into: store, module: "m")
        }
        #expect(store.pins(module: "m").isEmpty)
        #expect(store.usage(module: "m") == 0)
        // The blocks it stored are deleted with the failure, not left for a collection.
        #expect(store.blockCount == 0 && store.storedSize == 0)
        #expect(try store.collectGarbage().removedBlocks == 0)
    }
}
