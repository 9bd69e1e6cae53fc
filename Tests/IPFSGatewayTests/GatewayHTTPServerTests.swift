import AsyncHTTPClient
import Foundation
import IPFS
import IPFSGateway
import Multiformats
import NIOCore
import StationTestSupport
import Testing

@Suite("trustless gateway HTTP server")
struct GatewayHTTPServerTests {
    /// Sends one GET with AsyncHTTPClient and returns status, content type and body.
    private func get(_ url: String, accept: String? = nil) async throws -> (Int, String, [UInt8]) {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            var request = HTTPClientRequest(url: url)
            if let accept { request.headers.add(name: "Accept", value: accept) }
            let response = try await client.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 16 << 20)
            try await client.shutdown()
            return (Int(response.status.code), response.headers.first(name: "content-type") ?? "", Array(body.readableBytesView))
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    @Test("serves a CAR that verifies, with the trustless gateway headers")
    func servesCAR() async throws {
        let store = try makeTemporaryStore()
        let bytes = pseudoRandomBytes(20_000, seed: 1)
        let root = try await importFile(bytes, into: store)
        let server = try await GatewayHTTPServer.start(serving: store)
        let (status, type, body) = try await get(server.baseURL + "/ipfs/\(root)?format=car")
        await server.close()
        #expect(status == 200)
        #expect(type.hasPrefix("application/vnd.ipld.car"))
        let report = try await CARVerifier().verify(ArrayByteSource(body))
        #expect(report.roots == [root])
        #expect(body == (try await carBytes(for: GatewayRequest(root: root), from: store)))
    }

    @Test("the Accept header selects the raw format")
    func rawByAccept() async throws {
        let store = try makeTemporaryStore()
        let root = try await importFile(pseudoRandomBytes(3000, seed: 2), into: store)
        let server = try await GatewayHTTPServer.start(serving: store)
        let (status, type, body) = try await get(server.baseURL + "/ipfs/\(root)", accept: "application/vnd.ipld.raw")
        await server.close()
        #expect(status == 200)
        #expect(type == "application/vnd.ipld.raw")
        #expect(body == (try store.get(root))?.data)
    }

    @Test("unknown content is 404, a malformed request 400, another method 405")
    func errors() async throws {
        let store = try makeTemporaryStore()
        let server = try await GatewayHTTPServer.start(serving: store)
        let missing = Block(data: Array("not stored".utf8), codec: .raw, version: 1).cid
        let (notFound, _, _) = try await get(server.baseURL + "/ipfs/\(missing)?format=car")
        let (badScope, _, message) = try await get(server.baseURL + "/ipfs/\(missing)?format=car&dag-scope=most")
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var post = HTTPClientRequest(url: server.baseURL + "/ipfs/\(missing)?format=car")
        post.method = .POST
        let posted = try await client.execute(post, timeout: .seconds(30))
        try await client.shutdown()
        await server.close()
        #expect(notFound == 404)
        #expect(badScope == 400)
        #expect(String(decoding: message, as: UTF8.self).contains("dag-scope"))
        #expect(posted.status.code == 405)
    }

    @Test("a body that fails midway cuts the connection instead of ending the response")
    func failingBodyCutsConnection() async throws {
        let server = try await GatewayHTTPServer.start { _ in
            GatewayHTTPReply(status: 200, headers: [("Content-Type", "application/octet-stream")], streamedBody: { sink in
                try await sink(Array(repeating: 7, count: 1000))
                throw IPFSError.blockNotFound(cid: "gone")
            })
        }
        await #expect(throws: (any Error).self) {
            _ = try await get(server.baseURL + "/anything")
        }
        await server.close()
    }
}

@Suite("trustless gateway HTTP server: idle connections")
struct GatewayHTTPServerIdleTests {
    @Test("a connection that sends nothing is closed after the idle timeout")
    func idleConnectionClosed() async throws {
        let store = try makeTemporaryStore()
        let server = try await GatewayHTTPServer.start(serving: store, idleTimeout: .milliseconds(300))
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(socketFD >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(server.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(connected == 0)
        // Without the idle close, the read gives up after 20 s with -1 instead of hanging the suite.
        var limit = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(socketFD, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        // A blocking read returns 0 (end of stream) once the server closes the idle connection.
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = read(socketFD, &buffer, buffer.count)
        close(socketFD)
        await server.close()
        #expect(count == 0)
    }
}
