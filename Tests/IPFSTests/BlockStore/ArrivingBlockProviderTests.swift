import Foundation
import StationTestSupport
import Testing
@testable import IPFS
import Multiformats

@Suite("ArrivingBlockProvider")
struct ArrivingBlockProviderTests {
    /// Waits (yielding) until `count` readers are blocked in the store's arrivals.
    private func waitForWaiters(_ store: BlockStore, count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while store.arrivals.waiterCount != count {
            guard ContinuousClock.now < deadline else {
                Issue.record("expected \(count) waiting readers, have \(store.arrivals.waiterCount)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    @Test func aBlockInTheStoreIsReturnedAtOnceAndOneThatIsMissingAfterFinishIsNil() async throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let present = Block(data: Array("here".utf8), codec: .raw, version: 1)
        let absent = Block(data: Array("not here".utf8), codec: .raw, version: 1)
        try store.put(present, module: "m")
        let provider = ArrivingBlockProvider(store: store)
        #expect(try await provider.block(for: present.cid)?.data == present.data)
        provider.finish()
        #expect(try await provider.block(for: absent.cid) == nil)
        #expect(store.arrivals.waiterCount == 0)
    }

    @Test func readersWaitingForABlockAllGetItWhenItIsPut() async throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let block = Block(data: Array("late".utf8), codec: .raw, version: 1)
        let other = Block(data: Array("unrelated".utf8), codec: .raw, version: 1)
        let provider = ArrivingBlockProvider(store: store)
        async let first = provider.block(for: block.cid)
        async let second = provider.block(for: block.cid)
        try await waitForWaiters(store, count: 2)
        // A put of another block wakes nobody.
        try store.put(other, module: "m")
        #expect(store.arrivals.waiterCount == 2)
        try store.put(block, module: "m")
        #expect(try await first?.data == block.data)
        #expect(try await second?.data == block.data)
        #expect(store.arrivals.waiterCount == 0)
    }

    @Test func finishWakesAWaitingReaderWithNil() async throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let missing = Block(data: Array("never".utf8), codec: .raw, version: 1)
        let provider = ArrivingBlockProvider(store: store)
        async let read = provider.block(for: missing.cid)
        try await waitForWaiters(store, count: 1)
        provider.finish()
        #expect(try await read == nil)
        #expect(provider.isFinished)
    }

    @Test func cancellingAWaitingReaderEndsItsWait() async throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let missing = Block(data: Array("never".utf8), codec: .raw, version: 1)
        let provider = ArrivingBlockProvider(store: store)
        let reader = Task { try await provider.block(for: missing.cid) }
        try await waitForWaiters(store, count: 1)
        reader.cancel()
        await #expect(throws: CancellationError.self) { _ = try await reader.value }
        #expect(store.arrivals.waiterCount == 0)
        // A reader cancelled before it asks does not wait at all.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await provider.block(for: missing.cid)
        }
        await #expect(throws: CancellationError.self) { _ = try await early.value }
        #expect(store.arrivals.waiterCount == 0)
    }

    /// The point of the provider: an exporter writes each leaf while the next one is not stored
    /// yet. The blocks go in one at a time, each only once the exporter is blocked waiting for it.
    @Test func anExporterStreamsAFileWhileItsLeavesArrive() async throws {
        let bytes = pseudoRandomBytes(count: 10_500, seed: 21)
        var blocks: [Block] = []
        let options = UnixFSImportOptions(chunkSize: 1000, cidVersion: 1)
        let root = try await UnixFSImporter(options: options).importFile(ArrayByteSource(bytes)) { blocks.append($0) }
        let leaves = blocks.filter { $0.cid.contentCodec == .raw }
        let inner = blocks.filter { $0.cid.contentCodec != .raw }
        #expect(leaves.count == 11)

        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        for block in inner { try store.put(block, module: "fetch") }
        let provider = ArrivingBlockProvider(store: store)
        let recorder = Recorder<String>()
        let reader = Task {
            var out: [UInt8] = []
            try await UnixFSExporter(provider: provider).read(root.cid) { piece in
                out.append(contentsOf: piece)
                let next = leaves.first { !store.has($0.cid) }
                recorder.append("\(out.count) bytes written, next leaf stored: \(next == nil ? "none left" : "no")")
            }
            return out
        }
        for leaf in leaves {
            try await waitForWaiters(store, count: 1)
            try store.put(leaf, module: "fetch")
        }
        provider.finish()
        #expect(try await reader.value == bytes)
        let lines = recorder.all
        #expect(lines.count == 11)
        #expect(lines.first == "1000 bytes written, next leaf stored: no")
        #expect(lines.last == "10500 bytes written, next leaf stored: none left")
    }

    @Test func aReadWhoseBlocksNeverComeFailsWithBlockNotFoundOnceTheFetchIsOver() async throws {
        let bytes = pseudoRandomBytes(count: 3_000, seed: 22)
        var blocks: [Block] = []
        let options = UnixFSImportOptions(chunkSize: 1000, cidVersion: 1)
        let root = try await UnixFSImporter(options: options).importFile(ArrayByteSource(bytes)) { blocks.append($0) }
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        // Everything but the last leaf.
        let lastLeaf = blocks.last { $0.cid.contentCodec == .raw }
        for block in blocks where block.cid != lastLeaf?.cid { try store.put(block, module: "fetch") }
        let provider = ArrivingBlockProvider(store: store)
        let reader = Task {
            var count = 0
            try await UnixFSExporter(provider: provider).read(root.cid) { count += $0.count }
            return count
        }
        try await waitForWaiters(store, count: 1)
        provider.finish()
        await #expect(throws: IPFSError.blockNotFound(cid: lastLeaf?.cid.description ?? "")) { _ = try await reader.value }
    }
}
