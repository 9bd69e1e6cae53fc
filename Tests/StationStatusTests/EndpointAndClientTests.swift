import Foundation
import NIOCore
import StationTestSupport
import Testing
@testable import StationStatus

func fileMode(_ path: String) throws -> mode_t {
    var info = stat()
    guard stat(path, &info) == 0 else { throw CocoaError(.fileNoSuchFile) }
    return info.st_mode & 0o777
}

@Suite("STATE/status.json")
struct EndpointFileTests {
    @Test("written with mode 0600, read back, removed")
    func roundTrip() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("status.json")
        let file = StatusEndpointFile(path: path)
        let endpoint = StatusEndpoint(url: "http://127.0.0.1:7834", token: StatusToken.generate(), pid: 4242)
        try file.write(endpoint)
        #expect(try fileMode(path.path) == 0o600)
        #expect(try file.read() == endpoint)

        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: path)) as? [String: Any])
        #expect(object["url"] as? String == "http://127.0.0.1:7834")
        #expect(object["token"] as? String == endpoint.token)
        #expect(object["pid"] as? Int == 4242)
        #expect(endpoint.dashboardURL == "http://127.0.0.1:7834/#token=\(endpoint.token)")

        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["status.json"])

        // Another daemon's file survives our shutdown; ours is removed.
        file.remove(ifPID: 1)
        #expect(FileManager.default.fileExists(atPath: path.path))
        file.remove(ifPID: 4242)
        #expect(!FileManager.default.fileExists(atPath: path.path))
    }

    @Test("replacing a world-readable file leaves a 0600 one")
    func replacesLooseFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("status.json")
        try Data("{}".utf8).write(to: path)
        chmod(path.path, 0o644)
        #expect(try fileMode(path.path) == 0o644)
        let endpoint = StatusEndpoint(url: "http://127.0.0.1:1", token: "t", pid: 1)
        try StatusEndpointFile(path: path).write(endpoint)
        #expect(try fileMode(path.path) == 0o600)
        #expect(try StatusEndpointFile(path: path).read() == endpoint)
    }

    @Test("missing and malformed files give actionable errors")
    func errors() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("status.json")
        let missing = #expect(throws: StatusEndpointFileError.self) { try StatusEndpointFile(path: path).read() }
        #expect(missing?.description == "no running daemon: \(path.path) not found; start one with station daemon --config FILE")

        try Data("garbage".utf8).write(to: path)
        let malformed = #expect(throws: StatusEndpointFileError.self) { try StatusEndpointFile(path: path).read() }
        #expect(malformed?.description.contains("is not a status endpoint file") == true)

        let noFolder = StatusEndpointFile(path: folder.appendingPathComponent("nope/status.json"))
        let unwritable = #expect(throws: StatusEndpointFileError.self) { try noFolder.write(StatusEndpoint(url: "u", token: "t")) }
        #expect(unwritable?.description.hasPrefix("cannot write ") == true)
    }
}

@Suite("StatusClient against a real server")
struct StatusClientTests {
    @Test("status, activity, restart and update through the endpoint file")
    func calls() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let provider = FixedProvider(snapshot: Fixtures.snapshot(), activity: Fixtures.activity(count: 30))
        try await withServer(provider: provider) { port, token async throws in
            let path = folder.appendingPathComponent("status.json")
            try StatusEndpointFile(path: path).write(StatusEndpoint(url: "http://127.0.0.1:\(port)", token: token))
            let client = try StatusClient(endpointFile: path)

            #expect(try await client.status() == Fixtures.snapshot())
            #expect(try await client.activity(limit: 7) == Array(Fixtures.activity(count: 30).suffix(7)))
            try await client.restart(module: "crawler")
            #expect(await provider.restarted == ["crawler"])
            #expect(try await client.update(module: "price-feed", cid: "bafyxyz") == "price-feed now runs bafyxyz")

            let unknown = await #expect(throws: StatusClientError.self) { try await client.restart(module: "ghost") }
            #expect(unknown?.description == "the daemon refused: no module named 'ghost' (HTTP 404)")
            let invalid = await #expect(throws: StatusClientError.self) { _ = try await client.update(module: "price-feed", cid: "nope") }
            #expect(invalid?.description == "the daemon refused: 'nope' is not a CID (HTTP 400)")

            let wrongToken = try StatusClient(endpoint: StatusEndpoint(url: "http://127.0.0.1:\(port)", token: "wrong"))
            let refused = await #expect(throws: StatusClientError.self) { _ = try await wrongToken.status() }
            #expect(refused?.description.contains("refused the token (HTTP 401)") == true)
        }
    }

    @Test("clear errors when no daemon runs")
    func noDaemon() async throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("status.json")
        let missing = #expect(throws: StatusEndpointFileError.self) { _ = try StatusClient(endpointFile: path) }
        #expect(missing?.description.hasPrefix("no running daemon: ") == true)

        // A file left by a daemon that died: its pid does not exist (pid_max is at most 2^22).
        try StatusEndpointFile(path: path).write(StatusEndpoint(url: "http://127.0.0.1:9", token: "t", pid: 99_999_999))
        let stale = #expect(throws: StatusClientError.self) { _ = try StatusClient(endpointFile: path) }
        #expect(stale?.description.contains("which is not running") == true)

        // A live pid but nothing listening: bind a server, stop it, keep its port.
        let server = StatusServer(provider: FixedProvider(snapshot: Fixtures.snapshot(), activity: []), port: 0, token: "t", logger: .init(label: "x"))
        let port = try await server.start()
        await server.stop()
        let client = try StatusClient(endpoint: StatusEndpoint(url: "http://127.0.0.1:\(port)", token: "t"))
        let unreachable = await #expect(throws: StatusClientError.self) { _ = try await client.status() }
        #expect(unreachable?.description.contains("does not answer") == true)

        #expect(throws: StatusClientError.self) { _ = try StatusClient(endpoint: StatusEndpoint(url: "http://192.0.2.1:80", token: "t")) }
        #expect(throws: StatusClientError.self) { _ = try StatusClient(endpoint: StatusEndpoint(url: "https://127.0.0.1:80", token: "t")) }
    }
}

@Suite("The client's HTTP answer parser")
struct HTTPAnswerParserTests {
    func parse(_ text: String) throws -> HTTPAnswerParser.Answer {
        try HTTPAnswerParser.parse(ByteBuffer(string: text))
    }

    @Test func lengthChunkedAndToTheEnd() throws {
        let sized = try parse("HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello-extra")
        #expect(sized.status == 404)
        #expect(String(decoding: sized.body, as: UTF8.self) == "hello")
        let chunked = try parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n6;x=y\r\npedia!\r\n0\r\n\r\n")
        #expect(String(decoding: chunked.body, as: UTF8.self) == "Wikipedia!")
        let toEnd = try parse("HTTP/1.0 200 OK\r\n\r\n{\"ok\":true}")
        #expect(String(decoding: toEnd.body, as: UTF8.self) == "{\"ok\":true}")
    }

    @Test func malformed() {
        #expect(throws: StatusClientError.self) { try parse("") }
        #expect(throws: StatusClientError.self) { try parse("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n") }
        #expect(throws: StatusClientError.self) { try parse("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort") }
        #expect(throws: StatusClientError.self) { try parse("SSH-2.0-OpenSSH\r\n\r\n") }
        #expect(throws: StatusClientError.self) { try parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") }
    }
}
