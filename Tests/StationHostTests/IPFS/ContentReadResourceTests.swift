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

@Suite("ipfs_get streams what has arrived while the fetch runs", .serialized)
struct ContentReadResourceTests {
    @Test("the module reads the first leaves while the gateway holds back the rest; a transfer that breaks fails the read and leaves nothing held")
    func streamsWhileFetching() async throws {
        let (seedStore, seedFolder) = try temporaryStore()
        let (localStore, localFolder) = try temporaryStore()
        defer {
            try? FileManager.default.removeItem(at: seedFolder)
            try? FileManager.default.removeItem(at: localFolder)
        }
        // kubo's defaults: 1,000,000 bytes are a root and four leaves of at most 256 KiB.
        let bytes = [UInt8](pseudoRandomData(1_000_000, seed: 41))
        let root = try await UnixFSImporter().importStream(ArrayByteSource(bytes), into: seedStore, module: "seed").root
        let collector = ByteCollector()
        let writer = try await CARWriter(roots: [root]) { collector.bytes += $0 }
        try await writer.writeDAG(root: root, from: seedStore)
        let car = collector.bytes
        // The gateway sends the CAR up to the middle of the third leaf, then waits to be released
        // and cuts the connection (the body throws), so the fetch can only fail.
        let (gate, release) = AsyncStream<Void>.makeStream()
        let server = try await GatewayHTTPServer.start { _ in
            GatewayHTTPReply(status: 200, headers: [("Content-Type", "application/vnd.ipld.car; version=1")], streamedBody: { sink in
                try await sink(Array(car[0 ..< 600_000]))
                for await _ in gate {}
                throw CancellationError()
            })
        }
        let client = try TrustlessGatewayClient(gateways: [server.baseURL], configuration: GatewayClientConfiguration(idleTimeout: .seconds(120)))
        let operations = contentOperations(SharedContent(store: localStore, gateway: client))

        let handle = try operations.ipfsGet("\(root)", format: .file, timeout: .seconds(120))
        let first = try await onModuleThread { try readAtLeast(262_144, operations, handle) }
        #expect(first.count >= 262_144, "only \(first.count) bytes before the gateway let go")
        #expect(first == Array(bytes.prefix(first.count)))
        #expect(!localStore.isPinned(root, module: "m"), "the fetch cannot be complete yet")

        release.finish()
        let failure = await #expect(throws: StationError.self) {
            _ = try await onModuleThread { try readAllBlocking(operations, handle) }
        }
        #expect(failure?.code == .notFound, "\(String(describing: failure))")
        for _ in 0..<500 where localStore.usage(module: "m") > 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(localStore.usage(module: "m") == 0)
        #expect(localStore.pinnedRoots.isEmpty)
        operations.close()
        await client.shutdown()
        await server.close()
    }
}
