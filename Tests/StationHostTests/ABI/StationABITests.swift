import Foundation
import Sandbox
import SandboxEngine
import StationHost
import Testing

@Suite("station ABI: core, events, identity and hostile arguments")
struct StationABITests {
    @Test("abi_version is 1", arguments: abiEngines)
    func version(engine: EngineChoice) async throws {
        let run = try await runStation(stationModule("(call $abi_version)"), engine: engine)
        #expect(run.outcome.error == nil)
        #expect(run.result == 1)
    }

    @Test("a handle never issued, and a double close, fail with bad-handle and a message", arguments: abiEngines)
    func badHandles(engine: EngineChoice) async throws {
        let body = """
            (if (i32.ne (call $close (i32.const 999)) (i32.const -3)) (then (return (i32.const 100))))
            (call $print_error)
            (if (i32.ne (call $http_status (i32.const 0)) (i32.const -3)) (then (return (i32.const 101))))
            (if (i32.ne (call $read (i32.const -5) (i32.const 0) (i32.const 10)) (i32.const -3)) (then (return (i32.const 102))))
            (i32.const 0)
            """
        let run = try await runStation(stationModule(body), engine: engine)
        #expect(run.outcome.error == nil)
        #expect(run.result == 0)
        #expect(run.output.contains("handle 999 is not open"))
    }

    @Test("pointers outside memory or overflowing fail with fault and touch nothing", arguments: abiEngines)
    func faults(engine: EngineChoice) async throws {
        let body = """
            ;; url buffer past the end of the one-page memory
            (if (i32.ne (call $http_request (i32.const 0) (i32.const 3) (i32.const 65530) (i32.const 100)
                  (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i64.const 0)) (i32.const -2)) (then (return (i32.const 1))))
            ;; pointer + length overflowing 32 bits
            (if (i32.ne (call $kv_put (i32.const -1) (i32.const 2) (i32.const 0) (i32.const 1)) (i32.const -2)) (then (return (i32.const 2))))
            (if (i32.ne (call $last_error (i32.const 70000) (i32.const 10)) (i32.const -2)) (then (return (i32.const 3))))
            (if (i32.ne (call $module_name (i32.const 65535) (i32.const 2)) (i32.const -2)) (then (return (i32.const 4))))
            (if (i32.ne (call $poll (i32.const 65534) (i32.const 4) (i32.const 0) (i64.const 0)) (i32.const -2)) (then (return (i32.const 5))))
            (if (i32.ne (call $read (i32.const 1) (i32.const -16) (i32.const 32)) (i32.const -2)) (then (return (i32.const 6))))
            (if (i32.ne (call $activity (i32.const 0) (i32.const 65000) (i32.const 1000)) (i32.const -2)) (then (return (i32.const 7))))
            ;; the module name was not written anywhere near the failed buffer
            (if (i32.ne (i32.load8_u (i32.const 65535)) (i32.const 0)) (then (return (i32.const 8))))
            (call $print_error)
            (i32.const 0)
            """
        let run = try await runStation(stationModule(body), engine: engine)
        #expect(run.outcome.error == nil)
        #expect(run.result == 0)
        #expect(run.output.contains("outside linear memory"))
    }

    @Test("poll rejects empty and oversized sets and unknown handles", arguments: abiEngines)
    func pollArguments(engine: EngineChoice) async throws {
        let body = """
            (if (i32.ne (call $poll (i32.const 0) (i32.const 0) (i32.const 100) (i64.const 0)) (i32.const -1)) (then (return (i32.const 1))))
            (if (i32.ne (call $poll (i32.const 0) (i32.const 70000) (i32.const 100) (i64.const 0)) (i32.const -1)) (then (return (i32.const 2))))
            (i32.store (i32.const 0) (i32.const 12345))
            (if (i32.ne (call $poll (i32.const 0) (i32.const 1) (i32.const 100) (i64.const 0)) (i32.const -3)) (then (return (i32.const 3))))
            (i32.const 0)
            """
        let run = try await runStation(stationModule(body), engine: engine)
        #expect(run.outcome.error == nil)
        #expect(run.result == 0)
    }

    @Test("activity and job_completed become events; jobs are totalled when the module ends", arguments: abiEngines)
    func activityAndJobs(engine: EngineChoice) async throws {
        let body = """
            (drop (call $activity (i32.const 0) (i32.const 0) (i32.const 5)))
            (drop (call $activity (i32.const 1) (i32.const 8) (i32.const 4)))
            (if (i32.ne (call $activity (i32.const 7) (i32.const 0) (i32.const 5)) (i32.const -1)) (then (return (i32.const 1))))
            (drop (call $job_completed))
            (drop (call $job_completed))
            (drop (call $job_completed))
            (i32.const 0)
            """
        let data = #"(data (i32.const 0) "hello") (data (i32.const 8) "oops")"#
        let run = try await runStation(stationModule(body, data: data), engine: engine)
        #expect(run.result == 0)
        let events = run.events.events
        #expect(events.contains(.activity(module: "abi-test", level: .info, message: "hello")))
        #expect(events.contains(.activity(module: "abi-test", level: .error, message: "oops")))
        let totals = events.compactMap { event -> UInt64? in
            if case .jobsCompleted(let total, _) = event { return total }
            return nil
        }
        #expect(totals.last == 3)
    }

    @Test("activity over the rate limit is dropped with limit-reached", arguments: abiEngines)
    func activityRateLimit(engine: EngineChoice) async throws {
        let body = """
            (drop (call $activity (i32.const 0) (i32.const 0) (i32.const 1)))
            (drop (call $activity (i32.const 0) (i32.const 0) (i32.const 1)))
            (call $activity (i32.const 0) (i32.const 0) (i32.const 1))
            """
        let run = try await runStation(stationModule(body, data: #"(data (i32.const 0) "x")"#), engine: engine) { config in
            config.activityBurst = 2
            config.activityPerSecond = 0.001
        }
        #expect(run.result == StationErrorCode.limitReached.rawValue)
        #expect(run.events.events.count == 2)
    }

    @Test("identity values use the copy-out convention", arguments: abiEngines)
    func identity(engine: EngineChoice) async throws {
        let body = """
            ;; a 3-byte buffer gets "abi" and the full length 8 comes back
            (if (i32.ne (call $module_name (i32.const 100) (i32.const 3)) (i32.const 8)) (then (return (i32.const 1))))
            (if (i32.ne (i32.load8_u (i32.const 103)) (i32.const 0)) (then (return (i32.const 2))))
            (call $print (i32.const 100) (i32.const 3))
            (call $print (i32.const 200) (call $station_id (i32.const 200) (i32.const 100)))
            (call $print (i32.const 300) (call $wallet_address (i32.const 300) (i32.const 100)))
            (i32.const 0)
            """
        let run = try await runStation(stationModule(body), engine: engine)
        #expect(run.result == 0)
        #expect(run.output == "abistation-1f1wallet")
    }

    @Test("key-value calls without a store are denied; with one they round-trip", arguments: abiEngines)
    func keyValue(engine: EngineChoice) async throws {
        let body = """
            (if (i32.ne (call $kv_put (i32.const 0) (i32.const 3) (i32.const 16) (i32.const 5)) (i32.const 0)) (then (call $print_error) (return (i32.const 1))))
            (if (i32.ne (call $kv_put (i32.const 4) (i32.const 3) (i32.const 16) (i32.const 2)) (i32.const 0)) (then (return (i32.const 2))))
            (if (i32.ne (call $kv_get (i32.const 0) (i32.const 3) (i32.const 100) (i32.const 64)) (i32.const 5)) (then (return (i32.const 3))))
            (call $print (i32.const 100) (i32.const 5))
            (if (i32.ne (call $kv_get (i32.const 8) (i32.const 3) (i32.const 100) (i32.const 64)) (i32.const -8)) (then (return (i32.const 4))))
            ;; list keys with prefix "k": two entries of 4 + 3 bytes
            (if (i32.ne (call $kv_list (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 200) (i32.const 64)) (i32.const 2)) (then (return (i32.const 5))))
            (if (i32.ne (i32.load (i32.const 200)) (i32.const 3)) (then (return (i32.const 6))))
            (call $print (i32.const 204) (i32.const 3))
            (call $print (i32.const 211) (i32.const 3))
            ;; a buffer too small for one entry
            (if (i32.ne (call $kv_list (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 200) (i32.const 5)) (i32.const -14)) (then (return (i32.const 7))))
            ;; paging after the last key returns nothing more
            (if (i32.ne (call $kv_list (i32.const 0) (i32.const 1) (i32.const 4) (i32.const 3) (i32.const 200) (i32.const 64)) (i32.const 0)) (then (return (i32.const 8))))
            (if (i32.ne (call $kv_delete (i32.const 0) (i32.const 3)) (i32.const 0)) (then (return (i32.const 9))))
            (if (i32.ne (call $kv_delete (i32.const 0) (i32.const 3)) (i32.const -8)) (then (return (i32.const 10))))
            ;; over the quota
            (call $kv_put (i32.const 8) (i32.const 3) (i32.const 1000) (i32.const 4000))
            """
        let data = #"(data (i32.const 0) "k/a") (data (i32.const 4) "k/b") (data (i32.const 8) "zzz") (data (i32.const 16) "hello")"#
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("abi-kv-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try await runStation(stationModule(body, data: data), engine: engine) { config in
            config.keyValuePath = folder.appendingPathComponent("kv.sqlite").path
            config.keyValueLimits.quotaBytes = 1000
        }
        #expect(run.outcome.error == nil)
        #expect(run.result == StationErrorCode.quotaExceeded.rawValue)
        #expect(run.output == "hellok/ak/b")

        let denied = try await runStation(stationModule("(call $kv_get (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0))"), engine: engine)
        #expect(denied.result == StationErrorCode.denied.rawValue)
    }

    @Test("handles run out at the cap with limit-reached, and closing one frees a slot", arguments: abiEngines)
    func handleExhaustion(engine: EngineChoice) async throws {
        // Requests to an allowed loopback port with nothing listening: each takes a handle at once.
        let url = "http://127.0.0.1:9/"
        let request = """
            (call $http_request (i32.const 0) (i32.const 3) (i32.const 16) (i32.const \(url.utf8.count))
              (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i64.const 0))
            """
        let body = """
            (local.set $a \(request))
            (local.set $b \(request))
            (if (i32.le_s (local.get $b) (i32.const 0)) (then (return (i32.const 1))))
            (if (i32.ne \(request) (i32.const -7)) (then (return (i32.const 2))))
            (call $print_error)
            (if (i32.ne (call $close (local.get $a)) (i32.const 0)) (then (return (i32.const 3))))
            (if (i32.le_s \(request) (i32.const 0)) (then (return (i32.const 4))))
            ;; stale numbers stay invalid: the closed handle is not reused
            (if (i32.ne (call $close (local.get $a)) (i32.const -3)) (then (return (i32.const 5))))
            (i32.const 0)
            """
        let data = "(data (i32.const 0) \"GET\") (data (i32.const 16) \"\(url)\")"
        let run = try await runStation(stationModule(body, data: data, locals: "(local $a i32) (local $b i32)"), engine: engine) { config in
            config.maxHandles = 2
            config.networkPolicy = try NetworkPolicy(allowing: ["http://127.0.0.1:9"])
        }
        #expect(run.outcome.error == nil)
        #expect(run.result == 0)
        #expect(run.output.contains("too many open handles"), "\(run.output)")
    }

    @Test("URLs the policy denies fail at once, before any connection", arguments: abiEngines)
    func deniedFetches(engine: EngineChoice) async throws {
        let urls = [
            "http://localhost:1/", "http://127.0.0.2:1/", "http://[::1]:1/", "http://0.0.0.0:1/",
            "http://[::ffff:127.0.0.1]:1/", "http://2130706433:1/", "http://0x7f.1:1/", "http://example.org/",
        ]
        for url in urls {
            let body = """
                (call $http_request (i32.const 0) (i32.const 3) (i32.const 16) (i32.const \(url.utf8.count))
                  (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i64.const 0))
                (call $print_error)
                """
            let data = "(data (i32.const 0) \"GET\") (data (i32.const 16) \"\(url)\")"
            let run = try await runStation(stationModule(body, data: data), engine: engine) { config in
                config.networkPolicy = try NetworkPolicy(allowing: ["https://allowed.example.com"])
            }
            #expect(run.result == StationErrorCode.denied.rawValue, "\(url)")
            #expect(run.output.contains("denied"), "\(url): \(run.output)")
        }
    }
}
