import Foundation
import IPFS
import IPFSGateway
import Multiformats
import StationHost
import StationTestSupport
import Synchronization
import Testing

/// Collects the pieces a CAR writer emits.
private final class ByteCollector: @unchecked Sendable {
    var bytes: [UInt8] = []
}

/// Reads a handle until at least `count` bytes came, the handle ends or fails, or 60 s pass.
private func readAtLeast(_ count: Int, _ operations: StationOperations, _ handle: Int32) throws -> [UInt8] {
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64 << 10)
    let deadline = Date().addingTimeInterval(60)
    while received.count < count && Date() < deadline {
        do {
            let got = try buffer.withUnsafeMutableBytes { try operations.read(handle: handle, into: $0) }
            if got == 0 { break }
            received += buffer[0..<got]
        } catch let error as StationError where error.code == .wouldBlock {
            _ = try operations.poll([handle], timeout: .seconds(1))
        }
    }
    return received
}

/// Holds back every waiter until ``open()``.
private final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// A gateway that answers every request with the first `cut` bytes of `car`, then waits for the
/// gate to open and cuts the connection (the body throws), so a fetch from it can only fail.
private func stalledGateway(_ car: [UInt8], cut: Int) async throws -> (GatewayHTTPServer, Gate) {
    let gate = Gate()
    let server = try await GatewayHTTPServer.start { _ in
        GatewayHTTPReply(status: 200, headers: [("Content-Type", "application/vnd.ipld.car; version=1")], streamedBody: { sink in
            try await sink(Array(car[0 ..< cut]))
            await gate.wait()
            throw CancellationError()
        })
    }
    return (server, gate)
}

/// A file of kubo's defaults (1,000,000 bytes: a root and four leaves of at most 256 KiB) in
/// `store`, and its CAR.
private func largeFile(in store: BlockStore) async throws -> (root: CID, bytes: [UInt8], car: [UInt8]) {
    let bytes = [UInt8](pseudoRandomData(1_000_000, seed: 41))
    let root = try await UnixFSImporter().importStream(ArrayByteSource(bytes), into: store, module: "seed").root
    let collector = ByteCollector()
    let writer = try await CARWriter(roots: [root]) { collector.bytes += $0 }
    try await writer.writeDAG(root: root, from: store)
    return (root, bytes, collector.bytes)
}

/// A module's operations over an empty local store whose only source is a gateway that sends the
/// first `cut` bytes of a large file's CAR and then stalls (``stalledGateway(_:cut:)``).
private struct StalledFetch {
    let root: CID
    let bytes: [UInt8]
    let localStore: BlockStore
    let gate: Gate
    let operations: StationOperations
    private let folders: [URL]
    private let server: GatewayHTTPServer
    private let client: TrustlessGatewayClient

    init(cut: Int) async throws {
        let (seedStore, seedFolder) = try temporaryStore()
        let (localStore, localFolder) = try temporaryStore()
        folders = [seedFolder, localFolder]
        self.localStore = localStore
        let car: [UInt8]
        (root, bytes, car) = try await largeFile(in: seedStore)
        (server, gate) = try await stalledGateway(car, cut: cut)
        client = try TrustlessGatewayClient(gateways: [server.baseURL], configuration: GatewayClientConfiguration(idleTimeout: .seconds(120)))
        operations = contentOperations(SharedContent(store: localStore, gateway: client))
    }

    /// Waits (bounded) until nothing is held for the module any more.
    func waitForRelease() async throws {
        for _ in 0..<500 where localStore.usage(module: "m") > 0 { try await Task.sleep(for: .milliseconds(10)) }
    }

    func close() async {
        operations.close()
        gate.open()
        await client.shutdown()
        await server.close()
        for folder in folders { try? FileManager.default.removeItem(at: folder) }
    }
}

@Suite("ipfs_get streams what has arrived while the fetch runs", .serialized)
struct ContentReadResourceTests {
    @Test("the module reads the first leaves while the gateway holds back the rest; a transfer that breaks fails the read and leaves nothing held")
    func streamsWhileFetching() async throws {
        // Up to the middle of the third leaf.
        let fetch = try await StalledFetch(cut: 600_000)
        let operations = fetch.operations
        let handle = try operations.ipfsGet("\(fetch.root)", format: .file, timeout: .seconds(120))
        let first = try await onModuleThread { try readAtLeast(262_144, operations, handle) }
        #expect(first.count >= 262_144, "only \(first.count) bytes before the gateway let go")
        #expect(first == Array(fetch.bytes.prefix(first.count)))
        #expect(!fetch.localStore.isPinned(fetch.root, module: "m"), "the fetch cannot be complete yet")

        fetch.gate.open()
        let failure = await #expect(throws: StationError.self) {
            _ = try await onModuleThread { try readAllBlocking(operations, handle) }
        }
        #expect(failure?.code == .notFound, "\(String(describing: failure))")
        try await fetch.waitForRelease()
        #expect(fetch.localStore.usage(module: "m") == 0)
        #expect(fetch.localStore.pinnedRoots.isEmpty)
        await fetch.close()
    }

    @Test("a path the DAG cannot have fails once the blocks on its way are in, without waiting for the rest, and holds nothing")
    func badPathStopsTheFetch() async throws {
        // The root and the first leaf, then nothing until the end of the test.
        let fetch = try await StalledFetch(cut: 300_000)
        let operations = fetch.operations
        // The root is a file: it has no entry "inside".
        let handle = try operations.ipfsGet("\(fetch.root)/inside", format: .file, timeout: .seconds(120))
        let failure = await #expect(throws: StationError.self) {
            _ = try await onModuleThread { try readAllBlocking(operations, handle) }
        }
        #expect(failure?.code != .timedOut, "the read waited for the whole DAG: \(String(describing: failure))")
        #expect(failure?.message.contains("directory") == true, "\(String(describing: failure))")
        try await fetch.waitForRelease()
        #expect(fetch.localStore.usage(module: "m") == 0)
        #expect(fetch.localStore.pinnedRoots.isEmpty)
        await fetch.close()
    }

    @Test("a CID no source has fails the first read of a CAR: no header goes out before the root is in", arguments: [ContentFormat.car, .file])
    func missingContentSendsNothing(format: ContentFormat) async throws {
        let (localStore, localFolder) = try temporaryStore()
        defer { try? FileManager.default.removeItem(at: localFolder) }
        let operations = contentOperations(SharedContent(store: localStore))
        let nobodyHasIt = CID.sha256(Array("nobody has this".utf8), codec: .raw)
        let handle = try operations.ipfsGet("\(nobodyHasIt)", format: format, timeout: .seconds(30))
        // Bytes read before the read failed, and how it failed.
        let (received, failure) = try await onModuleThread { () throws -> (Int, StationError?) in
            var buffer = [UInt8](repeating: 0, count: 4096)
            var total = 0
            while true {
                do {
                    let got = try buffer.withUnsafeMutableBytes { try operations.read(handle: handle, into: $0) }
                    if got == 0 { return (total, nil) }
                    total += got
                } catch let error as StationError where error.code == .wouldBlock {
                    _ = try operations.poll([handle], timeout: .seconds(30))
                } catch let error as StationError {
                    return (total, error)
                }
            }
        }
        #expect(failure?.code == .notFound, "\(String(describing: failure))")
        #expect(received == 0)
        operations.close()
    }

}
