import AsyncHTTPClient
import Foundation
import IPFS
import IPFSGateway
import Multiformats
import NIOCore
import StationTestSupport
import Testing

/// Hostile and mistaken requests over real HTTP (loopback): each gets a 4xx answer, and the server
/// keeps serving afterwards (one request must never be able to kill it).
@Suite("trustless gateway HTTP server: hostile requests")
struct GatewayHostileRequestTests {
    private struct Site {
        let store: BlockStore
        let root: CID
        let file: CID
        let bytes: [UInt8]
    }

    /// A folder `root` holding `big.bin` (20 000 bytes in 1 KiB chunks) and `sub/small.txt`.
    private func site() async throws -> Site {
        let store = try makeTemporaryStore()
        let bytes = pseudoRandomBytes(20_000, seed: 5)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gateway-site-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data(bytes).write(to: folder.appendingPathComponent("big.bin"))
        try Data("small".utf8).write(to: folder.appendingPathComponent("sub/small.txt"))
        let importer = try UnixFSImporter(options: UnixFSImportOptions(chunkSize: 1024, cidVersion: 1))
        let root = try await importer.importPath(at: folder, into: store, module: "test").root
        let file = try await UnixFSExporter(provider: store).resolve(root, path: "big.bin")
        return Site(store: store, root: root, file: file, bytes: bytes)
    }

    private func get(_ client: HTTPClient, _ url: String) async throws -> (Int, [UInt8]) {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), Array(body.readableBytesView))
    }

    /// Serves `store` on loopback, runs `body` with the server and a client, then stops both.
    private func serving(_ store: BlockStore, _ body: (GatewayHTTPServer, HTTPClient) async throws -> Void) async throws {
        let server = try await GatewayHTTPServer.start(serving: store)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            try await body(server, client)
        } catch {
            try? await client.shutdown()
            await server.close()
            throw error
        }
        try await client.shutdown()
        await server.close()
    }

    @Test("entity-bytes at the ends of Int64 never kill the server; nonsense ranges are 400")
    func extremeEntityBytes() async throws {
        let site = try await site()
        try await serving(site.store) { server, client in
            let base = server.baseURL + "/ipfs/\(site.file)?format=car&dag-scope=entity&entity-bytes="

            // Valid but extreme: clamped to the file.
            for range in ["0:9223372036854775807", "-9223372036854775808:*", "-9223372036854775808:9223372036854775807", "19999:9223372036854775807"] {
                let (status, body) = try await get(client, base + range)
                #expect(status == 200, "\(range)")
                let request = try GatewayRequest(target: "/ipfs/\(site.file)?format=car&dag-scope=entity&entity-bytes=\(range)")
                let into = try makeTemporaryStore()
                let held = try await GatewayResponseVerifier().verifyCAR(ArrayByteSource(body), for: request, into: into, module: "c")
                #expect(!held.isEmpty)
            }
            // Nonsense: not numbers that fit, ends in the wrong order, or nothing of the file.
            for range in ["0:9223372036854775808", "9223372036854775808:*", "-9223372036854775809:*", "10:5", "-1:-2",
                          "9223372036854775807:*", "20000:*", "0:-9223372036854775808", "x:1", "1"] {
                let (status, _) = try await get(client, base + range)
                #expect(status == 400, "\(range)")
            }
            // Still serving.
            let (status, body) = try await get(client, server.baseURL + "/ipfs/\(site.file)?format=car")
            #expect(status == 200)
            #expect(try await CARVerifier().verify(ArrayByteSource(body)).roots == [site.file])
        }
    }

    @Test("a path through a file or deeper than 64 levels is 400, a missing name 404, never 502")
    func pathMistakes() async throws {
        let site = try await site()
        try await serving(site.store) { server, client in
            let base = server.baseURL + "/ipfs/\(site.root)"
            let deep = (0 ..< 65).map { _ in "sub" }.joined(separator: "/")
            let cases: [(String, Int)] = [
                ("/big.bin/inside?format=car", 400),
                ("/sub/small.txt/x/y?format=car", 400),
                ("/big.bin/inside?format=raw", 400),
                ("/\(deep)?format=car", 400),
                ("/sub/missing?format=car", 404),
                ("/missing/deeper?format=car", 404),
                ("/sub/small.txt?format=car", 200),
            ]
            for (path, expected) in cases {
                let (status, body) = try await get(client, base + path)
                #expect(status == expected, "\(path.prefix(60)): \(String(decoding: body, as: UTF8.self))")
            }
            let missing = Block(data: Array("never stored".utf8), codec: .raw, version: 1).cid
            #expect(try await get(client, server.baseURL + "/ipfs/\(missing)?format=raw").0 == 404)
        }
    }

    @Test("a file node whose sizes overflow cuts the body instead of crashing the server")
    func hostileFileNode() async throws {
        let store = try makeTemporaryStore()
        let leaf = Block(data: [1, 2, 3], codec: .raw, version: 1)
        let node = DagPBNode(
            links: [DagPBLink(cid: leaf.cid, name: "", totalSize: 3), DagPBLink(cid: leaf.cid, name: "", totalSize: 3)],
            data: UnixFSData(kind: .file, blockSizes: [.max, .max]).encoded())
        let hostile = Block(data: node.encoded(), codec: .dagPB, version: 1)
        try store.put(leaf, module: "test")
        try store.put(hostile, module: "test")
        try await serving(store) { server, client in
            let ranged = try await get(client, server.baseURL + "/ipfs/\(hostile.cid)?format=car&dag-scope=entity&entity-bytes=0:9223372036854775807")
            #expect(ranged.0 == 400)
            // Without a range the failure comes after the 200: the connection is cut mid-body.
            await #expect(throws: (any Error).self) {
                _ = try await get(client, server.baseURL + "/ipfs/\(hostile.cid)?format=car&dag-scope=entity")
            }
            let (status, bytes) = try await get(client, server.baseURL + "/ipfs/\(leaf.cid)?format=raw")
            #expect(status == 200 && bytes == [1, 2, 3])
        }
    }

    @Test("identity CIDs are served from the CID and fetched without asking a gateway")
    func identityCIDs() async throws {
        let store = try makeTemporaryStore()
        let inline = CID.v1(codec: .raw, multihash: .identity(Array("hi".utf8)))
        try await serving(store) { server, client in
            let empty = try CID("bafkqaaa")
            let (emptyStatus, emptyBody) = try await get(client, server.baseURL + "/ipfs/\(empty)?format=raw")
            #expect(emptyStatus == 200 && emptyBody.isEmpty)
            let (status, body) = try await get(client, server.baseURL + "/ipfs/\(inline)?format=raw")
            #expect(status == 200 && body == Array("hi".utf8))

            // Nothing listens on port 1 of loopback: any request would fail.
            let gateways = try TrustlessGatewayClient(gateways: ["http://127.0.0.1:1"])
            let block = try await gateways.fetchBlock(inline)
            await gateways.shutdown()
            #expect(block.data == Array("hi".utf8))
        }
    }
}
