import Foundation
import StationTestSupport
import Testing
@testable import IPFS
import Multiformats

@Suite("BlockStore")
struct BlockStoreTests {
    @Test func putThenGetReturnsTheSameVerifiedBytes() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let block = Block(data: Array("hello".utf8), codec: .raw, version: 1)
        try store.put(block, module: "a")
        #expect(store.has(block.cid))
        #expect(try store.get(block.cid) == block)
        #expect(store.storedSize == 5)
        #expect(store.usage(module: "a") == 5)
    }

    @Test func blockWhoseBytesDoNotMatchItsCIDIsRejectedAndNeverStored() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let honest = Block(data: Array("honest".utf8), codec: .raw, version: 1)
        #expect(throws: IPFSError.hashMismatch(cid: honest.cid.description)) {
            _ = try Block(cid: honest.cid, data: Array("forged".utf8))
        }
        #expect(!store.has(honest.cid))
        #expect(store.blockCount == 0)
    }

    @Test func sameBytesUnderCIDv0AndCIDv1AreStoredOnce() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let data = DagPBNode(links: [], data: [8, 1]).encoded()
        let v0 = Block(data: data, codec: .dagPB, version: 0)
        let v1 = Block(data: data, codec: .dagPB, version: 1)
        #expect(v0.cid != v1.cid)
        try store.put(v0, module: "a")
        try store.put(v1, module: "b")
        #expect(store.blockCount == 1)
        #expect(try store.get(v1.cid)?.cid == v1.cid)
    }

    @Test func moduleQuotaStopsAPutAndTheStoreIsUnchanged() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory, quotas: ["small": 10])
        try store.put(Block(data: [UInt8](repeating: 1, count: 8), codec: .raw, version: 1), module: "small")
        let tooMuch = Block(data: [UInt8](repeating: 2, count: 8), codec: .raw, version: 1)
        #expect(throws: IPFSError.moduleQuotaExceeded(module: "small", usage: 8, needed: 8, limit: 10)) {
            try store.put(tooMuch, module: "small")
        }
        #expect(!store.has(tooMuch.cid))
        #expect(store.usage(module: "small") == 8)
    }

    @Test func storeCapacityStopsAPut() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory, capacity: 12)
        try store.put(Block(data: [UInt8](repeating: 1, count: 8), codec: .raw, version: 1), module: "a")
        #expect(throws: IPFSError.storeCapacityExceeded(usage: 8, needed: 8, capacity: 12)) {
            try store.put(Block(data: [UInt8](repeating: 2, count: 8), codec: .raw, version: 1), module: "b")
        }
    }

    @Test func sharedBlockIsChargedToEachModuleButStoredOnce() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let block = Block(data: [UInt8](repeating: 7, count: 100), codec: .raw, version: 1)
        try store.put(block, module: "a")
        try store.put(block, module: "b")
        try store.pin(block.cid, module: "a")
        try store.pin(block.cid, module: "b")
        store.release(block.cid, module: "a")
        store.release(block.cid, module: "b")
        #expect(store.usage(module: "a") == 100)
        #expect(store.usage(module: "b") == 100)
        #expect(store.storedSize == 100)
        try store.unpin(block.cid, module: "a")
        #expect(store.usage(module: "a") == 0)
        #expect(try store.collectGarbage().removedBlocks == 0)
        try store.unpin(block.cid, module: "b")
        #expect(try store.collectGarbage() == BlockStore.GarbageReport(removedBlocks: 1, freedBytes: 100))
        #expect(!store.has(block.cid))
    }

    @Test func garbageCollectionKeepsPinnedDAGsAndHeldBlocksOnly() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let leaf = Block(data: [1, 2, 3], codec: .raw, version: 1)
        let root = dagPBBlock(
            links: [DagPBLink(cid: leaf.cid, name: "", totalSize: 3)],
            unixfs: UnixFSData(kind: .file, fileSize: 3, blockSizes: [3]))
        let stray = Block(data: [9, 9], codec: .raw, version: 1)
        for block in [leaf, root, stray] { try store.put(block, module: "m") }
        try store.pin(root.cid, module: "m")
        for block in [leaf, root, stray] { store.release(block.cid, module: "m") }
        let report = try store.collectGarbage()
        #expect(report == BlockStore.GarbageReport(removedBlocks: 1, freedBytes: 2))
        #expect(store.has(leaf.cid) && store.has(root.cid) && !store.has(stray.cid))
        #expect(throws: IPFSError.blockInUse(cid: leaf.cid.description)) { try store.delete(leaf.cid) }
    }

    @Test func pinningAnIncompleteDAGFails() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let missing = Block(data: [1], codec: .raw, version: 1)
        let root = dagPBBlock(
            links: [DagPBLink(cid: missing.cid, name: "", totalSize: 1)],
            unixfs: UnixFSData(kind: .file, fileSize: 1, blockSizes: [1]))
        try store.put(root, module: "m")
        #expect(throws: IPFSError.incompleteDAG(root: root.cid.description, missing: missing.cid.description)) {
            try store.pin(root.cid, module: "m")
        }
        #expect(store.pins(module: "m").isEmpty)
    }

    @Test func pinsAndUsageSurviveReopening() throws {
        let directory = try TemporaryDirectory()
        let block = Block(data: [UInt8](repeating: 3, count: 50), codec: .raw, version: 1)
        do {
            let store = try makeStore(directory, durable: true)
            try store.put(block, module: "m")
            try store.pin(block.cid, module: "m")
            let stray = Block(data: [4], codec: .raw, version: 1)
            try store.put(stray, module: "m")
        }
        let reopened = try makeStore(directory)
        #expect(reopened.pins(module: "m") == [block.cid])
        #expect(reopened.usage(module: "m") == 50)
        // The stray block was only held by the previous process: now it is garbage.
        #expect(try reopened.collectGarbage().removedBlocks == 1)
        #expect(reopened.has(block.cid))
    }

    @Test func crashBetweenTempWriteAndRenameLeavesNoBlockAndIsCleanedAtOpen() throws {
        let directory = try TemporaryDirectory()
        let block = Block(data: [UInt8](repeating: 5, count: 1000), codec: .raw, version: 1)
        do {
            let store = try makeStore(directory)
            store.crashPoint = .beforeRename
            #expect(throws: IPFSError.self) { try store.put(block, module: "m") }
        }
        let blocks = directory.url.appendingPathComponent("store/blocks").path
        let leftovers = try FileManager.default.subpathsOfDirectory(atPath: blocks)
            .filter { $0.contains(DurableFile.temporaryPrefix) }
        #expect(leftovers.count == 1)
        let reopened = try makeStore(directory)
        #expect(reopened.openReport.removedTemporaryFiles == 1)
        #expect(!reopened.has(block.cid))
        #expect(reopened.storedSize == 0)
        try reopened.put(block, module: "m")
        #expect(try reopened.get(block.cid) == block)
    }

    @Test func blockCorruptedOnDiskIsDetectedAndRemoved() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let block = Block(data: Array("original".utf8), codec: .raw, version: 1)
        try store.put(block, module: "m")
        let key = BlockFileLayout.key(of: block.cid)
        let path = BlockFileLayout(root: directory.url.appendingPathComponent("store").path).blockPath(key: key)
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: IPFSError.corruptBlockOnDisk(cid: block.cid.description)) { _ = try store.get(block.cid) }
        #expect(!store.has(block.cid))
    }

    @Test func damagedPinIsReportedAtOpen() throws {
        let directory = try TemporaryDirectory()
        let leaf = Block(data: [1, 2], codec: .raw, version: 1)
        let root = dagPBBlock(
            links: [DagPBLink(cid: leaf.cid, name: "", totalSize: 2)],
            unixfs: UnixFSData(kind: .file, fileSize: 2, blockSizes: [2]))
        let storeRoot = directory.url.appendingPathComponent("store").path
        do {
            let store = try makeStore(directory)
            try store.put(leaf, module: "m")
            try store.put(root, module: "m")
            try store.pin(root.cid, module: "m")
        }
        let layout = BlockFileLayout(root: storeRoot)
        try FileManager.default.removeItem(atPath: layout.blockPath(key: BlockFileLayout.key(of: leaf.cid)))
        let reopened = try makeStore(directory)
        #expect(reopened.openReport.damagedPins == [root.cid])
        #expect(reopened.pins(module: "m") == [root.cid])
    }

    @Test func unpinOfSomethingNotPinnedIsAnError() throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let block = Block(data: [1], codec: .raw, version: 1)
        #expect(throws: IPFSError.notPinned(cid: block.cid.description, module: "m")) {
            try store.unpin(block.cid, module: "m")
        }
    }
}
