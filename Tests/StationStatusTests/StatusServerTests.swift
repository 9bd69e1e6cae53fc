import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing
@testable import StationStatus

@Suite("Status API over real HTTP")
struct StatusServerTests {
    func makeProvider(activityCount: Int = 12) -> FixedProvider {
        FixedProvider(snapshot: Fixtures.snapshot(), activity: Fixtures.activity(count: activityCount))
    }

    @Test("every API route needs the token; the right one is accepted")
    func tokenRequired() async throws {
        try await withServer(provider: makeProvider()) { port, token async throws in
            for path in ["/api/v1/status", "/api/v1/activity", "/metrics", "/api/v1/nowhere"] {
                let missing = try await call(port: port, path)
                #expect(missing.status == 401, "\(path) without a token")
                #expect((try missing.json()["error"] as? String)?.contains("STATE/status.json") == true)
                #expect(missing.header("WWW-Authenticate") == "Bearer")

                let wrong = try await call(port: port, path, token: String(token.dropLast()) + "x")
                #expect(wrong.status == 401, "\(path) with a wrong token")
                let prefix = try await call(port: port, path, token: String(token.dropLast()))
                #expect(prefix.status == 401, "\(path) with a prefix of the token")
            }
            let post = try await call(.POST, port: port, "/api/v1/modules/crawler/restart")
            #expect(post.status == 401)

            let ok = try await call(port: port, "/api/v1/status", token: token)
            #expect(ok.status == 200)
            #expect(ok.header("Cache-Control") == "no-store")
            #expect(ok.header("X-Content-Type-Options") == "nosniff")
            #expect(ok.header("Content-Type")?.hasPrefix("application/json") == true)
        }
    }

    @Test("?token= is accepted for /metrics only")
    func queryToken() async throws {
        try await withServer(provider: makeProvider()) { port, token async throws in
            #expect(try await call(port: port, "/metrics?token=\(token)").status == 200)
            #expect(try await call(port: port, "/metrics?token=nope").status == 401)
            #expect(try await call(port: port, "/api/v1/status?token=\(token)").status == 401)
        }
    }

    @Test("requests for a non-loopback Host are refused (DNS rebinding)")
    func hostChecked() async throws {
        try await withServer(provider: makeProvider()) { port, token async throws in
            let evil = try await call(port: port, "/api/v1/status", token: token, headers: [("Host", "evil.example:\(port)")])
            #expect(evil.status == 403)
            #expect((try evil.json()["error"] as? String)?.contains("loopback") == true)
            let evilPage = try await call(port: port, "/", headers: [("Host", "rebind.example.com")])
            #expect(evilPage.status == 403)
            let tricky = try await call(port: port, "/api/v1/status", token: token, headers: [("Host", "127.0.0.1.evil.example")])
            #expect(tricky.status == 403)

            for host in ["localhost:\(port)", "127.0.0.1:\(port)", "[::1]:\(port)", "127.0.0.1"] {
                let ok = try await call(port: port, "/api/v1/status", token: token, headers: [("Host", host)])
                #expect(ok.status == 200, "Host: \(host)")
            }
        }
    }

    @Test("POSTs from another origin are refused")
    func originChecked() async throws {
        let provider = makeProvider()
        try await withServer(provider: provider) { port, token async throws in
            let foreign = try await call(.POST, port: port, "/api/v1/modules/crawler/restart", token: token, headers: [("Origin", "http://evil.example")])
            #expect(foreign.status == 403)
            let nullOrigin = try await call(.POST, port: port, "/api/v1/modules/crawler/restart", token: token, headers: [("Origin", "null")])
            #expect(nullOrigin.status == 403)
            #expect(await provider.restarted.isEmpty)

            let own = try await call(.POST, port: port, "/api/v1/modules/crawler/restart", token: token, headers: [("Origin", "http://127.0.0.1:\(port)")])
            #expect(own.status == 200)
            #expect(await provider.restarted == ["crawler"])
        }
    }

    @Test("status JSON decodes back to the provider's snapshot, with jobsTotal")
    func statusRoundTrip() async throws {
        let provider = makeProvider()
        try await withServer(provider: provider) { port, token async throws in
            let answer = try await call(port: port, "/api/v1/status", token: token)
            #expect(answer.status == 200)
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let decoded = try decoder.decode(DaemonSnapshot.self, from: answer.body)
            #expect(decoded == Fixtures.snapshot())

            let object = try answer.json()
            let expectedJobs = Fixtures.snapshot().modules.reduce(UInt64(0)) { $0 + $1.jobs }
            #expect(expectedJobs == 20_584)
            #expect((object["jobsTotal"] as? NSNumber)?.uint64Value == expectedJobs)
            #expect(object["startedAt"] as? String == ISO8601DateFormatter().string(from: Fixtures.snapshot().startedAt))
            #expect(object["serverTime"] is String)
        }
    }

    @Test("activity honours limit (default 100, at most 1000) and rejects nonsense")
    func activityLimit() async throws {
        let provider = makeProvider(activityCount: 1200)
        try await withServer(provider: provider) { port, token async throws in
            let all = try await call(port: port, "/api/v1/activity", token: token)
            #expect(all.status == 200)
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            let entries = try decoder.decode([ActivityEntry].self, from: all.body)
            #expect(entries.count == 100)
            #expect(entries.last == Fixtures.activity(count: 1200).last)

            let five = try decoder.decode([ActivityEntry].self, from: try await call(port: port, "/api/v1/activity?limit=5", token: token).body)
            #expect(five == Array(Fixtures.activity(count: 1200).suffix(5)))

            let many = try decoder.decode([ActivityEntry].self, from: try await call(port: port, "/api/v1/activity?limit=5000", token: token).body)
            #expect(many.count == 1000)

            #expect(try await call(port: port, "/api/v1/activity?limit=abc", token: token).status == 400)
            #expect(try await call(port: port, "/api/v1/activity?limit=-3", token: token).status == 400)
            #expect(await provider.activityLimits == [100, 5, 1000])
        }
    }

    @Test("restart: 200 for a known module, 404 with an error for an unknown one")
    func restart() async throws {
        let provider = makeProvider()
        try await withServer(provider: provider) { port, token async throws in
            let ok = try await call(.POST, port: port, "/api/v1/modules/price-feed/restart", token: token)
            #expect(ok.status == 200)
            #expect(try ok.json()["ok"] as? Bool == true)

            let unknown = try await call(.POST, port: port, "/api/v1/modules/ghost/restart", token: token)
            #expect(unknown.status == 404)
            #expect(try unknown.json()["error"] as? String == "no module named 'ghost'")

            let wrongMethod = try await call(.GET, port: port, "/api/v1/modules/price-feed/restart", token: token)
            #expect(wrongMethod.status == 405)
            #expect(await provider.restarted == ["price-feed"])
        }
    }

    @Test("update maps errors to 400/404/502 and caps the body")
    func update() async throws {
        let provider = makeProvider()
        try await withServer(provider: provider) { port, token async throws in
            func update(_ module: String, _ body: String) async throws -> HTTPAnswer {
                try await call(.POST, port: port, "/api/v1/modules/\(module)/update", token: token, body: Data(body.utf8))
            }
            let ok = try await update("weather-probe", #"{"cid":"bafyabc"}"#)
            #expect(ok.status == 200)
            #expect(try ok.json()["ok"] as? Bool == true)
            #expect(try ok.json()["message"] as? String == "weather-probe now runs bafyabc")

            let invalid = try await update("weather-probe", #"{"cid":"QmNotACid"}"#)
            #expect(invalid.status == 400)
            #expect(try invalid.json()["error"] as? String == "'QmNotACid' is not a CID")

            #expect(try await update("ghost", #"{"cid":"bafyabc"}"#).status == 404)
            let failed = try await update("weather-probe", #"{"cid":"fetch-fails"}"#)
            #expect(failed.status == 502)
            #expect((try failed.json()["error"] as? String)?.contains("could not fetch") == true)

            #expect(try await update("weather-probe", "not json").status == 400)
            #expect(try await update("weather-probe", #"{"id":"bafyabc"}"#).status == 400)
            #expect(try await update("weather-probe", #"{"cid":"  "}"#).status == 400)

            let padding = String(repeating: " ", count: StatusServer.maxBodyBytes)
            let huge = try await update("weather-probe", #"{"cid":"bafyhuge"}"# + padding)
            #expect(huge.status == 413)
            let justUnder = String(repeating: " ", count: StatusServer.maxBodyBytes - 40)
            #expect(try await update("weather-probe", #"{"cid":"bafysmall"}"# + justUnder).status == 200)

            let updates = await provider.updates.map { "\($0.module)=\($0.cid)" }
            #expect(updates == ["weather-probe=bafyabc", "weather-probe=bafysmall"])
        }
    }

    @Test("module names are percent-decoded from the path")
    func encodedNames() async throws {
        let odd = ModuleSnapshot(name: "my module/α", version: "1", source: "x.wasm", state: .running)
        let provider = FixedProvider(snapshot: Fixtures.snapshot(extraModules: [odd]), activity: [])
        try await withServer(provider: provider) { port, token async throws in
            let answer = try await call(.POST, port: port, "/api/v1/modules/\(StatusClient.pathSegment(odd.name))/restart", token: token)
            #expect(answer.status == 200)
            #expect(await provider.restarted == [odd.name])
        }
    }

    @Test("the dashboard page is served without a token, with a strict CSP")
    func dashboardHeaders() async throws {
        try await withServer(provider: makeProvider()) { port, _ async throws in
            let page = try await call(port: port, "/")
            #expect(page.status == 200)
            #expect(page.header("Content-Type") == "text/html; charset=utf-8")
            #expect(page.header("X-Content-Type-Options") == "nosniff")
            #expect(page.header("Cache-Control") == "no-store")
            #expect(page.header("X-Frame-Options") == "DENY")
            let csp = try #require(page.header("Content-Security-Policy"))
            #expect(csp.hasPrefix("default-src 'none';"))
            #expect(csp.contains("connect-src 'self'"))
            #expect(csp.contains("frame-ancestors 'none'"))
            #expect(!csp.contains("unsafe-inline"))
            // The page's script and style carry the nonce the header allows.
            let nonce = try #require(csp.split(separator: " ").first { $0.hasPrefix("'nonce-") })
                .dropFirst("'nonce-".count).prefix { $0 != "'" }
            #expect(nonce.count == 32)
            #expect(page.text.contains("<script nonce=\"\(nonce)\">"))
            #expect(page.text.contains("<style nonce=\"\(nonce)\">"))
            // Self-contained: nothing loaded from elsewhere.
            #expect(!page.text.contains("http://") && !page.text.contains("https://") && !page.text.contains("src=\""))
            // The nonce changes per response.
            let again = try await call(port: port, "/")
            #expect(again.header("Content-Security-Policy") != csp)
        }
    }

    @Test("metrics: Prometheus text with the right series and values")
    func metrics() async throws {
        try await withServer(provider: makeProvider()) { port, token async throws in
            let answer = try await call(port: port, "/metrics", token: token)
            #expect(answer.status == 200)
            #expect(answer.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let lines = Set(answer.text.split(separator: "\n").map(String.init))
            let expected = [
                "station_up 1.0",
                "# TYPE station_up gauge",
                "# TYPE station_process_cpu_seconds_total counter",
                "station_process_resident_bytes \(Double(187 * Fixtures.mib + 300 * 1024))",
                "station_process_cpu_seconds_total 1234.5",
                #"station_module_state{module="weather-probe",state="running"} 1.0"#,
                #"station_module_state{module="weather-probe",state="backoff"} 0.0"#,
                #"station_module_state{module="price-feed",state="backoff"} 1.0"#,
                #"station_module_state{module="crawler",state="parked"} 1.0"#,
                #"station_module_state{module="ipfs-pinner",state="starting"} 1.0"#,
                #"station_module_state{module="report-once",state="stopped"} 1.0"#,
                #"station_module_restarts_total{module="price-feed"} 7"#,
                #"station_module_jobs_total{module="weather-probe"} 18342"#,
                #"station_module_cpu_seconds_total{module="weather-probe"} 612.25"#,
                #"station_module_memory_bytes{module="weather-probe"} \#(Double(38 * Fixtures.mib))"#,
                #"station_module_memory_limit_bytes{module="weather-probe"} \#(Double(64 * Fixtures.mib))"#,
                #"station_module_storage_bytes{module="crawler"} \#(Double(61 * Fixtures.mib))"#,
                #"station_module_network_receive_bytes_total{module="weather-probe"} \#(1_734 * Fixtures.mib)"#,
                #"station_module_network_transmit_bytes_total{module="weather-probe"} \#(96 * Fixtures.mib)"#,
            ]
            for line in expected {
                #expect(lines.contains(line), "missing: \(line)")
            }
            for name in ["station_up", "station_module_state", "station_module_jobs_total", "station_module_network_receive_bytes_total"] {
                #expect(lines.contains { $0.hasPrefix("# HELP \(name) ") }, "no HELP for \(name)")
            }
            // Five states per module, five modules.
            #expect(lines.filter { $0.hasPrefix("station_module_state{") }.count == 25)
        }
    }

    @Test("metrics escape untrusted module names in label values")
    func metricsEscaping() async throws {
        let odd = ModuleSnapshot(name: "evil\"} station_up 0\n#", version: "1", source: "x.wasm", state: .running, jobs: 3)
        let text = String(decoding: StatusMetrics.render(DaemonSnapshot(version: "1", startedAt: Fixtures.now, modules: [odd])), as: UTF8.self)
        #expect(text.contains(#"station_module_jobs_total{module="evil\"} station_up 0\n#"} 3"#))
        #expect(!text.split(separator: "\n").contains("station_up 0"))
    }

    @Test("a taken port gives an actionable error; non-loopback hosts are refused")
    func bindErrors() async throws {
        try await withServer(provider: makeProvider()) { port, token async throws in
            let second = StatusServer(provider: makeProvider(), port: port, token: token, logger: Logger(label: "second"))
            let error = await #expect(throws: StatusServerError.self) { try await second.start() }
            #expect(error == .addressInUse(host: "127.0.0.1", port: port))
            #expect(error?.description == "127.0.0.1:\(port) is in use; set [status] listen in station.toml or stop the other daemon")
            // The first server still answers.
            #expect(try await call(port: port, "/api/v1/status", token: token).status == 200)
        }
        for host in ["0.0.0.0", "192.168.1.10", "::", "example.com", "127.0.0.1.example.com"] {
            let server = StatusServer(provider: makeProvider(), host: host, port: 0, token: "t", logger: Logger(label: "x"))
            let error = await #expect(throws: StatusServerError.self) { try await server.start() }
            #expect(error == .notLoopback(host))
        }
    }

    @Test("stop closes idle keep-alive connections and the port")
    func stopCloses() async throws {
        let server = StatusServer(provider: makeProvider(), port: 0, token: "tok", logger: Logger(label: "x"))
        let port = try await server.start()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let closedByServer = try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: "GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAuthorization: Bearer tok\r\n\r\n"))
            var received = ""
            var iterator = inbound.makeAsyncIterator()
            // Read the whole answer (the server sends a Content-Length).
            while let chunk = try await iterator.next() {
                received += String(buffer: chunk)
                if let split = received.range(of: "\r\n\r\n"),
                   let lengthLine = received[..<split.lowerBound].split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
                   let length = Int(lengthLine.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)),
                   received.utf8.count - received[..<split.upperBound].utf8.count >= length {
                    break
                }
            }
            #expect(received.hasPrefix("HTTP/1.1 200"))
            // The connection is idle and kept alive; stopping the server must close it.
            await server.stop()
            let guardTask = Task {
                try await Task.sleep(for: .seconds(60))
                Issue.record("the server left the idle connection open for 60 s after stop()")
                channel.channel.close(promise: nil)
            }
            defer { guardTask.cancel() }
            do {
                while try await iterator.next() != nil {}
            } catch {}
            return true
        }
        #expect(closedByServer)
        // Nothing listens any more, and the port can be bound again.
        await #expect(throws: (any Error).self) {
            _ = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
        }
        let again = StatusServer(provider: makeProvider(), port: port, token: "tok", logger: Logger(label: "x"))
        #expect(try await again.start() == port)
        await again.stop()
    }
}

@Suite("Token helpers")
struct StatusHelperTests {
    @Test func tokens() {
        let a = StatusToken.generate(), b = StatusToken.generate()
        #expect(a.count == 64)
        #expect(a.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(a != b)
        #expect(StatusToken.generate(byteCount: 16).count == 32)
    }
}
