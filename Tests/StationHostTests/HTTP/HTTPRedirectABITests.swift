import Foundation
import Sandbox
import SandboxEngine
import StationHost
import Testing

/// `http_request_options` (manual redirects) and `http_url` through the ABI, on both engines,
/// against a loopback server that redirects `/old` to `/new`.
@Suite("http_request_options and http_url")
struct HTTPRedirectABITests {
    /// WAT: a request to `url` (stored at 16) with `options` (or plain
    /// `http_request` when nil); prints "<status> <url that answered>" and the Location header's
    /// presence, returns 0, or a negative step number on failure.
    static func module(url: String, options: Int?) -> String {
        let urlLength = url.utf8.count
        let data = "(data (i32.const 0) \"GET\") (data (i32.const 16) \"\(url)\")"
        let call = options.map { options in
            """
            (call $http_request_options (i32.const 0) (i32.const 3) (i32.const 16) (i32.const \(urlLength))
              (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i64.const 0) (i32.const \(options)))
            """
        } ?? """
            (call $http_request (i32.const 0) (i32.const 3) (i32.const 16) (i32.const \(urlLength))
              (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i64.const 0))
            """
        let body = """
            (local.set $h \(call))
            (if (i32.lt_s (local.get $h) (i32.const 0)) (then (call $print_error) (return (local.get $h))))
            ;; the URL is not known before the head has arrived
            (local.set $n (call $http_url (local.get $h) (i32.const 1000) (i32.const 200)))
            (block $ready (loop $wait
              (local.set $status (call $http_status (local.get $h)))
              (br_if $ready (i32.ge_s (local.get $status) (i32.const 0)))
              (if (i32.ne (local.get $status) (i32.const -4)) (then (call $print_error) (return (i32.const -1))))
              (if (i32.ne (local.get $n) (i32.const -4)) (then (return (i32.const -2))))
              \(pollOne)
              (br $wait)))
            ;; "<status> " then the URL that answered, then a newline
            (i32.store8 (i32.const 900) (i32.add (i32.const 48) (i32.div_u (local.get $status) (i32.const 100))))
            (i32.store8 (i32.const 901) (i32.add (i32.const 48) (i32.rem_u (i32.div_u (local.get $status) (i32.const 10)) (i32.const 10))))
            (i32.store8 (i32.const 902) (i32.add (i32.const 48) (i32.rem_u (local.get $status) (i32.const 10))))
            (i32.store8 (i32.const 903) (i32.const 32))
            (call $print (i32.const 900) (i32.const 4))
            (local.set $n (call $http_url (local.get $h) (i32.const 1000) (i32.const 200)))
            (if (i32.lt_s (local.get $n) (i32.const 0)) (then (call $print_error) (return (i32.const -3))))
            (call $print (i32.const 1000) (local.get $n))
            (i32.store8 (i32.const 900) (i32.const 10))
            (call $print (i32.const 900) (i32.const 1))
            (local.set $n (call $http_headers (local.get $h) (i32.const 2000) (i32.const 2000)))
            (call $print (i32.const 2000) (local.get $n))
            (drop (call $close (local.get $h)))
            (i32.const 0)
            """
        return stationModule(body, data: data, locals: "(local $h i32) (local $n i32) (local $status i32)")
    }

    static func run(url: String, options: Int?, engine: EngineChoice, server: TestHTTPServer) async throws -> StationRun {
        let wat = module(url: url, options: options)
        return try await runStation(wat, engine: engine) { config in
            config.networkPolicy = try NetworkPolicy(allowing: ["http://127.0.0.1:\(server.port)"])
        }
    }

    @Test("without options the host follows the redirect and http_url names where it ended", arguments: abiEngines)
    func followed(engine: EngineChoice) async throws {
        let server = try await TestHTTPServer.start { request in
            request.path == "/old" ? .redirect(to: "/new", status: 302) : .text("new")
        }
        defer { Task { try? await server.stop() } }
        let run = try await Self.run(url: server.url("/old"), options: nil, engine: engine, server: server)
        #expect(run.result == 0, "\(run.output)")
        #expect(run.output.hasPrefix("200 \(server.url("/new"))\n"), "\(run.output)")
        // Unredirected, the URL is the request's as given.
        let direct = try await Self.run(url: server.url("/new"), options: nil, engine: engine, server: server)
        #expect(direct.output.hasPrefix("200 \(server.url("/new"))\n"), "\(direct.output)")
    }

    @Test("option 1 returns the 3xx itself with its Location; http_url is the request's URL", arguments: abiEngines)
    func manual(engine: EngineChoice) async throws {
        let server = try await TestHTTPServer.start { request in
            request.path == "/old" ? .redirect(to: "/new", status: 302) : .text("new")
        }
        defer { Task { try? await server.stop() } }
        let run = try await Self.run(url: server.url("/old"), options: 1, engine: engine, server: server)
        #expect(run.result == 0, "\(run.output)")
        #expect(run.output.hasPrefix("302 \(server.url("/old"))\n"), "\(run.output)")
        #expect(run.output.lowercased().contains("location: /new"), "\(run.output)")
        #expect(server.receivedRequests.map(\.path) == ["/old"], "the redirect was not followed")
    }

    @Test("unknown option bits are refused with invalid-argument before any request", arguments: abiEngines)
    func unknownOptions(engine: EngineChoice) async throws {
        let server = try await TestHTTPServer.start { _ in .text("never") }
        defer { Task { try? await server.stop() } }
        let run = try await Self.run(url: server.url("/old"), options: 6, engine: engine, server: server)
        #expect(run.result == StationErrorCode.invalidArgument.rawValue, "\(run.output)")
        #expect(run.output.contains("unknown option bits"), "\(run.output)")
        #expect(server.receivedRequests.isEmpty)
    }
}
