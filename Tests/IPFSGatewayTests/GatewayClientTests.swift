import Foundation
import IPFS
import IPFSGateway
import Multiformats
import StationTestSupport
import Testing

@Suite("trustless gateway client")
struct GatewayClientTests {
    @Test("format=car, dag-scope=all: the whole file arrives verified", arguments: [0, 1])
    func wholeFile(cidVersion: Int) async throws {
        let source = try makeTemporaryStore()
        let bytes = pseudoRandomBytes(50_000, seed: 10)
        let root = try await importFile(bytes, into: source, cidVersion: cidVersion)
        let server = try await GatewayHTTPServer.start(serving: source)
        let client = try TrustlessGatewayClient(gateways: [server.baseURL])
        let target = try makeTemporaryStore()
        let progress = Collected()
        let result = try await client.fetchCAR(GatewayRequest(root: root), into: target, module: "m") { total in
            progress.bytes.append(UInt8(truncatingIfNeeded: total))
        }
        await client.shutdown()
        await server.close()
        #expect(result.gateway == server.baseURL)
        #expect(result.earlierFailures.isEmpty)
        #expect(result.bytesReceived > 50_000)
        #expect(!progress.bytes.isEmpty)
        #expect(try await readFile(root, from: target) == bytes)
    }

    @Test("dag-scope=entity with entity-bytes fetches only the blocks of that range")
    func entityBytes() async throws {
        let source = try makeTemporaryStore()
        let bytes = pseudoRandomBytes(40_000, seed: 11)
        let root = try await importFile(bytes, into: source)
        let server = try await GatewayHTTPServer.start(serving: source)
        let client = try TrustlessGatewayClient(gateways: [server.baseURL])
        let target = try makeTemporaryStore()
        let request = GatewayRequest(root: root, scope: .entity, entityBytes: EntityBytes(from: 10_000, to: 12_999))
        let result = try await client.fetchCAR(request, into: target, module: "m")
        await client.shutdown()
        await server.close()
        #expect(try await readFile(root, from: target, range: 10_000 ..< 13_000) == Array(bytes[10_000 ..< 13_000]))
        // 1 KiB chunks: the range touches 4 leaves; the rest of the file was not sent.
        #expect(result.held.count < 12)
        await #expect(throws: IPFSError.self) { _ = try await readFile(root, from: target) }
    }

    @Test("dag-scope=block through a path carries the directory and the file's root only")
    func blockScopeWithPath() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gw-dir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let content = pseudoRandomBytes(5000, seed: 12)
        try Data(content).write(to: folder.appendingPathComponent("data.bin"))
        try Data("hello".utf8).write(to: folder.appendingPathComponent("note.txt"))
        let source = try makeTemporaryStore()
        let importer = try UnixFSImporter(options: UnixFSImportOptions(chunkSize: 1024))
        let directory = try await importer.importPath(at: folder, into: source, module: "test").root
        let file = try await UnixFSExporter(provider: source).resolve(directory, path: "data.bin")
        let server = try await GatewayHTTPServer.start(serving: source)
        let client = try TrustlessGatewayClient(gateways: [server.baseURL])
        let target = try makeTemporaryStore()
        let result = try await client.fetchCAR(GatewayRequest(root: directory, path: ["data.bin"], scope: .block), into: target, module: "m")
        let whole = try await client.fetchCAR(GatewayRequest(root: directory, path: ["data.bin"]), into: target, module: "m")
        await client.shutdown()
        await server.close()
        #expect(Set(result.held) == [directory, file])
        #expect(whole.held.count == 2 + 5)  // directory, file root, five 1 KiB leaves
        #expect(try await readFile(file, from: target) == content)
    }

    @Test("format=raw returns the block checked against its CID")
    func rawBlock() async throws {
        let source = try makeTemporaryStore()
        let root = try await importFile(pseudoRandomBytes(2000, seed: 13), into: source)
        let server = try await GatewayHTTPServer.start(serving: source)
        let client = try TrustlessGatewayClient(gateways: [server.baseURL])
        let block = try await client.fetchBlock(root)
        await client.shutdown()
        await server.close()
        #expect(block == (try source.get(root)))
    }

    @Test("a gateway that sends a corrupt block is rejected and the next one is used")
    func corruptThenGood() async throws {
        let source = try makeTemporaryStore()
        let bytes = pseudoRandomBytes(8000, seed: 14)
        let root = try await importFile(bytes, into: source)
        var corrupt = try await carBytes(for: GatewayRequest(root: root), from: source)
        corrupt[corrupt.count - 1] ^= 0xFF  // inside the last block's bytes
        let bad = try await GatewayHTTPServer.start(handler: fixedCARHandler(corrupt))
        let good = try await GatewayHTTPServer.start(serving: source)
        let client = try TrustlessGatewayClient(gateways: [bad.baseURL, good.baseURL])
        let target = try makeTemporaryStore()
        let result = try await client.fetchCAR(GatewayRequest(root: root), into: target, module: "m")
        await client.shutdown()
        await bad.close()
        await good.close()
        #expect(result.gateway == good.baseURL)
        #expect(result.earlierFailures.map(\.gateway) == [bad.baseURL])
        #expect(result.earlierFailures.first?.reason.contains("do not match") == true)
        #expect(try await readFile(root, from: target) == bytes)
    }

    @Test("a gateway that leaves a block out is rejected as incomplete, then the next one is used")
    func incompleteThenGood() async throws {
        let source = try makeTemporaryStore()
        let bytes = pseudoRandomBytes(8000, seed: 15)
        let root = try await importFile(bytes, into: source)
        let collected = Collected()
        let writer = try await CARWriter(roots: [root]) { collected.bytes.append(contentsOf: $0) }
        var skipped: CID?
        try await ScopedDAGWalker(provider: source).walk(GatewayRequest(root: root)) { block in
            if skipped == nil, block.cid != root { skipped = block.cid; return }
            try await writer.write(block)
        }
        let bad = try await GatewayHTTPServer.start(handler: fixedCARHandler(collected.bytes))
        let good = try await GatewayHTTPServer.start(serving: source)
        let client = try TrustlessGatewayClient(gateways: [bad.baseURL, good.baseURL])
        let target = try makeTemporaryStore()
        let result = try await client.fetchCAR(GatewayRequest(root: root), into: target, module: "m")
        await client.shutdown()
        await bad.close()
        await good.close()
        #expect(result.gateway == good.baseURL)
        let reason = try #require(result.earlierFailures.first?.reason)
        #expect(reason.contains("incomplete"), "reason: \(reason)")
        #expect(reason.contains(try #require(skipped).description))
        #expect(try await readFile(root, from: target) == bytes)
    }

    @Test("a gateway that stalls hits the timeout; with no other gateway the fetch fails")
    func stallTimesOut() async throws {
        let source = try makeTemporaryStore()
        let root = try await importFile(pseudoRandomBytes(3000, seed: 16), into: source)
        let stalling = try await GatewayHTTPServer.start { _ in
            try? await Task.sleep(for: .seconds(120))
            return .text(504, "too late")
        }
        let configuration = GatewayClientConfiguration(connectTimeout: .seconds(5), idleTimeout: .milliseconds(300), totalTimeout: .seconds(2))
        let client = try TrustlessGatewayClient(gateways: [stalling.baseURL], configuration: configuration)
        let target = try makeTemporaryStore()
        let error = await #expect(throws: GatewayClientError.self) {
            _ = try await client.fetchCAR(GatewayRequest(root: root), into: target, module: "m")
        }
        await client.shutdown()
        await stalling.close()
        guard case .allGatewaysFailed(let failures)? = error else {
            Issue.record("unexpected error \(String(describing: error))")
            return
        }
        #expect(failures.count == 1)
        let reason = failures.first?.reason ?? ""
        #expect(reason.contains("sent nothing") || reason.contains("did not finish"), "reason: \(reason)")
    }

    @Test("a gateway that stalls mid-body hits the total timeout and the next gateway is used")
    func stallMidBodyThenGood() async throws {
        let source = try makeTemporaryStore()
        let bytes = pseudoRandomBytes(6000, seed: 17)
        let root = try await importFile(bytes, into: source)
        let car = try await carBytes(for: GatewayRequest(root: root), from: source)
        // Sends the first half, then trickles a byte every 100 ms: never idle, never done.
        let trickling = try await GatewayHTTPServer.start { _ in
            GatewayHTTPReply(status: 200, headers: [("Content-Type", "application/vnd.ipld.car")], streamedBody: { sink in
                try await sink(Array(car[0 ..< car.count / 2]))
                for byte in car[(car.count / 2)...] {
                    try await Task.sleep(for: .milliseconds(100))
                    try await sink([byte])
                }
            })
        }
        let good = try await GatewayHTTPServer.start(serving: source)
        let configuration = GatewayClientConfiguration(idleTimeout: .seconds(5), totalTimeout: .seconds(1))
        let client = try TrustlessGatewayClient(gateways: [trickling.baseURL, good.baseURL], configuration: configuration)
        let target = try makeTemporaryStore()
        let result = try await client.fetchCAR(GatewayRequest(root: root), into: target, module: "m")
        await client.shutdown()
        await trickling.close()
        await good.close()
        #expect(result.gateway == good.baseURL)
        #expect(result.earlierFailures.first?.reason.contains("did not finish") == true)
        #expect(try await readFile(root, from: target) == bytes)
    }

    @Test("404 from every gateway names each one")
    func allFail() async throws {
        let empty = try makeTemporaryStore()
        let first = try await GatewayHTTPServer.start(serving: empty)
        let second = try await GatewayHTTPServer.start(serving: empty)
        let client = try TrustlessGatewayClient(gateways: [first.baseURL, second.baseURL])
        let missing = Block(data: Array("nobody has this".utf8), codec: .raw, version: 1).cid
        let error = await #expect(throws: GatewayClientError.self) {
            _ = try await client.fetchBlock(missing)
        }
        await client.shutdown()
        await first.close()
        await second.close()
        guard case .allGatewaysFailed(let failures)? = error else {
            Issue.record("unexpected error \(String(describing: error))")
            return
        }
        #expect(failures.map(\.gateway) == [first.baseURL, second.baseURL])
        #expect(failures.allSatisfy { $0.reason.contains("404") })
    }

    @Test("a gateway that refuses connections is skipped for the next one")
    func refusedThenGood() async throws {
        let source = try makeTemporaryStore()
        let bytes = pseudoRandomBytes(3000, seed: 18)
        let root = try await importFile(bytes, into: source)
        // Bind a port, then close it: nothing listens there any more.
        let gone = try await GatewayHTTPServer.start(serving: source)
        await gone.close()
        let good = try await GatewayHTTPServer.start(serving: source)
        let client = try TrustlessGatewayClient(gateways: [gone.baseURL, good.baseURL])
        let target = try makeTemporaryStore()
        let result = try await client.fetchCAR(GatewayRequest(root: root), into: target, module: "m")
        await client.shutdown()
        await good.close()
        #expect(result.gateway == good.baseURL)
        #expect(result.earlierFailures.map(\.gateway) == [gone.baseURL])
        #expect(try await readFile(root, from: target) == bytes)
    }

    @Test("gateway URLs are checked up front")
    func invalidURLs() {
        #expect(throws: GatewayClientError.noGateways) { _ = try TrustlessGatewayClient(gateways: []) }
        #expect(throws: GatewayClientError.invalidGatewayURL("ftp://x")) { _ = try TrustlessGatewayClient(gateways: ["ftp://x"]) }
        #expect(throws: GatewayClientError.invalidGatewayURL("not a url")) { _ = try TrustlessGatewayClient(gateways: ["not a url"]) }
    }
}
