import Foundation
import StationTestSupport
import Testing
@testable import IPFS
import Multiformats

/// The store's overall cap, garbage collection on pressure, and failed puts that leave nothing.
@Suite("BlockStore capacity and garbage")
struct BlockStoreCapacityTests {
    /// Imports `bytes` as a pinned CIDv1 file (1 KiB raw leaves) for `module`, as `ipfs_put` does.
    private func put(_ bytes: [UInt8], into store: BlockStore, module: String) async throws -> CID {
        let importer = try UnixFSImporter(options: UnixFSImportOptions(chunkSize: 1024, cidVersion: 1))
        return try await importer.importStream(ArrayByteSource(bytes), into: store, module: module).root
    }

    @Test func putThenUnpinInALoopStaysUnderTheCap() async throws {
        let directory = try TemporaryDirectory()
        let capacity: Int64 = 64 << 10
        let store = try makeStore(directory, capacity: capacity, quotas: ["loop": 10 << 10])
        // 100 rounds of 8 KiB: 800 KiB through a 64 KiB store, as a module calling
        // ipfs_put then ipfs_unpin would.
        for round in 0 ..< 100 {
            let root = try await put(pseudoRandomBytes(count: 8 << 10, seed: UInt64(round) + 1), into: store, module: "loop")
            #expect(store.storedSize <= capacity)
            try store.unpin(root, module: "loop")
        }
        #expect(store.storedSize <= capacity)
        #expect(store.collectionsOnPressure > 0)
        #expect(store.usage(module: "loop") == 0)
    }

    @Test func failedPutAtTheQuotaLeavesTheStoreAsItWas() async throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory, quotas: ["small": 10_000])
        let kept = try await put(pseudoRandomBytes(count: 3000, seed: 7), into: store, module: "other")
        let size = store.storedSize
        let count = store.blockCount
        await #expect(throws: IPFSError.self) {
            _ = try await put(pseudoRandomBytes(count: 50_000, seed: 8), into: store, module: "small")
        }
        #expect(store.storedSize == size)
        #expect(store.blockCount == count)
        #expect(store.usage(module: "small") == 0)
        #expect(store.garbageSize == 0)
        #expect(try await readAll(UnixFSExporter(provider: store), kept) == pseudoRandomBytes(count: 3000, seed: 7))
    }

    @Test func failedPutAtTheCapLeavesTheStoreAsItWas() async throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory, capacity: 20_000)
        _ = try await put(pseudoRandomBytes(count: 12_000, seed: 9), into: store, module: "first")
        let size = store.storedSize
        do {
            _ = try await put(pseudoRandomBytes(count: 12_000, seed: 10), into: store, module: "second")
            Issue.record("the second put should not fit")
        } catch let error as IPFSError {
            guard case .storeCapacityExceeded = error else {
                Issue.record("unexpected error \(error)")
                return
            }
        }
        #expect(store.storedSize == size)
    }

    @Test func failedPutKeepsTheBlocksAnotherModulePinned() async throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory, quotas: ["small": 8000])
        // The first 4 KiB of both files are the same 4 leaves; "owner" pins them.
        let shared = pseudoRandomBytes(count: 4096, seed: 11)
        let pinned = try await put(shared, into: store, module: "owner")
        let size = store.storedSize
        await #expect(throws: IPFSError.self) {
            _ = try await put(shared + pseudoRandomBytes(count: 20_000, seed: 12), into: store, module: "small")
        }
        #expect(store.storedSize == size)
        try store.collectGarbage()
        #expect(try await readAll(UnixFSExporter(provider: store), pinned) == shared)
    }

    @Test func collectionKeepsWhatAnotherModulePinsAndWhatAPutStillHolds() async throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory, capacity: 16_000)
        let bytes = pseudoRandomBytes(count: 5000, seed: 13)
        let owned = try await put(bytes, into: store, module: "owner")
        // Another module stores the same file, then unpins it: the owner's pin keeps it.
        let again = try await put(bytes, into: store, module: "visitor")
        #expect(again == owned)
        try store.unpin(again, module: "visitor")
        // A block written but not pinned yet (an import in progress holds it).
        let pending = Block(data: pseudoRandomBytes(count: 3000, seed: 14), codec: .raw, version: 1)
        try store.put(pending, module: "writer")
        #expect(try store.collectGarbage().removedBlocks == 0)
        // Pressure: a put that does not fit collects, but may take nothing that is held.
        let big = Block(data: pseudoRandomBytes(count: 9000, seed: 15), codec: .raw, version: 1)
        #expect(throws: IPFSError.self) { try store.put(big, module: "third") }
        #expect(store.has(pending.cid))
        #expect(try await readAll(UnixFSExporter(provider: store), owned) == bytes)
        // Once the writer lets go, the same put fits.
        store.release(pending.cid, module: "writer")
        try store.put(big, module: "third")
        #expect(!store.has(pending.cid) && store.has(big.cid))
    }

    @Test func anInMemoryHoldKeepsADAGFromCollectionChargesItsModuleAndWritesNothing() async throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory, quotas: ["tiny": 1000])
        let root = try await put(pseudoRandomBytes(count: 5000, seed: 21), into: store, module: "owner")
        let pinsFile = directory.url.appendingPathComponent("store/pins.json")
        let pinsBefore = try Data(contentsOf: pinsFile)

        let hold = try store.holdDAG(root, module: "reader")
        #expect(store.usage(module: "reader") == store.usage(module: "owner"))
        #expect(store.pins(module: "reader").isEmpty)
        #expect(try Data(contentsOf: pinsFile) == pinsBefore)
        // A module's quota applies as for a pin.
        #expect(throws: IPFSError.self) { _ = try store.holdDAG(root, module: "tiny") }

        try store.unpin(root, module: "owner")
        #expect(try store.collectGarbage().removedBlocks == 0)
        #expect(try await readAll(UnixFSExporter(provider: store), root) == pseudoRandomBytes(count: 5000, seed: 21))

        store.release(hold)
        #expect(store.usage(module: "reader") == 0)
        #expect(try store.collectGarbage().removedBlocks > 0)
        // Once the blocks are gone, a hold says the DAG is incomplete.
        do {
            _ = try store.holdDAG(root, module: "reader")
            Issue.record("holding a collected DAG succeeded")
        } catch let error as IPFSError {
            guard case .incompleteDAG = error else { Issue.record("unexpected error \(error)"); return }
        }
    }

    @Test func concurrentCollectionsNeverBreakAnImportInProgress() async throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let collector = Task.detached {
            while !Task.isCancelled {
                _ = try? store.collectGarbage()
                await Task.yield()
            }
        }
        defer { collector.cancel() }
        for round in 0 ..< 20 {
            let bytes = pseudoRandomBytes(count: 20_000, seed: 100 + UInt64(round))
            let root = try await put(bytes, into: store, module: "m")
            #expect(try await readAll(UnixFSExporter(provider: store), root) == bytes)
            try store.unpin(root, module: "m")
        }
    }

    @Test func quotaAndCapacityChecksCannotOverflow() throws {
        let directory = try TemporaryDirectory()
        let store = try BlockStore(BlockStore.Configuration(
            directory: directory.url.appendingPathComponent("store"), capacity: .min,
            defaultModuleQuota: .min, durable: false))
        let block = Block(data: [1, 2, 3], codec: .raw, version: 1)
        #expect(throws: IPFSError.self) { try store.put(block, module: "m") }
        #expect(BlockStore.fits(.max, over: .max, within: .max) == false)
        #expect(BlockStore.fits(1, over: 0, within: .max))
        #expect(BlockStore.fits(0, over: .min, within: .max) == false)
    }
}
