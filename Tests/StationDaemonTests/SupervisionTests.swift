import Foundation
import StationConfig
import StationHost
import StationStatus
import Testing
@testable import StationDaemon

@Suite("Supervision", .serialized)
struct SupervisionTests {
    @Test("a trapping module is restarted with backoff, then parked; a healthy one keeps working")
    func trapParksOthersCarryOn() async throws {
        let harness = try TestDaemon()
        try harness.addModule("healthy", wat: TestModules.worker())
        try harness.addModule("trapper", wat: TestModules.trap)
        let daemon = try await harness.start()

        try await eventually("trapper parked") { await daemon.module("trapper")?.state == .parked }
        let trapper = try #require(await daemon.module("trapper"))
        #expect(trapper.restarts == 2)
        #expect(trapper.reason?.contains("failed 3 times in a row") == true)
        #expect(trapper.reason?.contains("unreachable") == true)
        let notes = harness.messages(of: "trapper")
        #expect(notes.contains { $0.contains("restarting in") && $0.contains("failure 1 of 3") })
        #expect(notes.contains { $0.hasPrefix("parked:") })

        let before = await daemon.module("healthy")?.jobs ?? 0
        try await eventually("healthy keeps completing jobs") { (await daemon.module("healthy")?.jobs ?? 0) > before + 2 }
        let healthy = try #require(await daemon.module("healthy"))
        #expect(healthy.state == .running)
        #expect(healthy.restarts == 0)
        #expect(harness.messages(of: "healthy").contains("working"))
        await harness.stop()
    }

    @Test("imports whose grant is missing are reported once per code version, not on every restart")
    func missingGrantsReportedOnce() async throws {
        let harness = try TestDaemon()
        let code = """
            (module
              (import "station" "kv_get" (func (param i32 i32 i32 i32) (result i32)))
              (import "station" "http_request" (func (param i32 i32 i32 i32 i32 i32 i32 i32 i64) (result i32)))
              (import "station" "job_completed" (func (result i32)))
              (memory (export "memory") 1)
              (func (export "_start") unreachable))
            """
        try harness.addModule("ungranted", wat: code)
        try harness.addModule("granted", wat: code) { $0.grants.kv = true; $0.grants.net = ["http://127.0.0.1:9"] }
        let daemon = try await harness.start()
        try await eventually("both parked") {
            let ungranted = await daemon.module("ungranted")?.state
            let granted = await daemon.module("granted")?.state
            return ungranted == .parked && granted == .parked
        }
        let warnings = harness.messages(of: "ungranted").filter { $0.contains("without the grant they need") }
        #expect(warnings.count == 2, "\(harness.messages(of: "ungranted"))")
        #expect(warnings.contains { $0.contains("station.http_request") && $0.contains("--allow-net") })
        #expect(warnings.contains { $0.contains("station.kv_get") && $0.contains("[grants] kv = true") })
        #expect(!warnings.contains { $0.contains("job_completed") })
        #expect(!harness.messages(of: "granted").contains { $0.contains("without the grant they need") })
        #expect((await daemon.module("ungranted")?.restarts ?? 0) >= 2)
        await harness.stop()
    }

    @Test("a parked module starts again when restarted by hand")
    func restartUnparks() async throws {
        let harness = try TestDaemon()
        try harness.addModule("trapper", wat: TestModules.trap)
        let daemon = try await harness.start()
        try await eventually("parked") { await daemon.module("trapper")?.state == .parked }
        let restartsBefore = await daemon.module("trapper")?.restarts ?? 0
        try await daemon.restart(module: "trapper")
        try await eventually("parked again after fresh attempts") {
            let module = await daemon.module("trapper")
            return module?.state == .parked && (module?.restarts ?? 0) > restartsBefore
        }
        await #expect(throws: StatusActionError.self) { try await daemon.restart(module: "nobody") }
        await harness.stop()
    }

    @Test("code that can never run is parked at once with the reason")
    func invalidModuleParksAtOnce() async throws {
        let harness = try TestDaemon()
        let file = harness.root.appendingPathComponent("broken.wasm")
        try Data("\0asm\u{1}\0\0\0garbage".utf8).write(to: file)
        try harness.addModule("broken", wat: TestModules.trap) { $0.source = .file(file.path) }
        let daemon = try await harness.start()
        try await eventually("parked") { await daemon.module("broken")?.state == .parked }
        let broken = try #require(await daemon.module("broken"))
        #expect(broken.restarts == 0)
        #expect(broken.reason?.hasPrefix("cannot run: invalid module") == true)
        await harness.stop()
    }

    /// Found by the soak (state folder read-only): the reason was Foundation's
    /// "Error Domain=NSCocoaErrorDomain Code=642 …" instead of a sentence.
    @Test("a module whose folder cannot be created fails with the folder and the system's reason")
    func unpreparableFolderSaysWhy() async throws {
        var settings = SupervisorSettings()
        settings.initialBackoff = .seconds(600)
        let harness = try TestDaemon(supervisor: settings)
        try harness.addModule("blocked", wat: TestModules.worker(intervalMs: 1000))
        // A file where the module's folder belongs: creating the folder fails for root as well.
        let folder = URL(fileURLWithPath: harness.configuration.stateDirectory).appendingPathComponent("modules/blocked")
        try FileManager.default.createDirectory(at: folder.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("not a folder".utf8).write(to: folder)
        let daemon = try await harness.start()
        try await eventually("failed once") { await daemon.module("blocked")?.state == .backoff }
        let reason = try #require(await daemon.module("blocked")?.reason)
        #expect(reason.contains("cannot create the folder \(folder.path)"), "\(reason)")
        #expect(!reason.contains("Domain="), "\(reason)")
        await harness.stop()
    }

    @Test("stopping the daemon during a backoff does not count a restart")
    func stopDuringBackoff() async throws {
        var settings = SupervisorSettings()
        settings.initialBackoff = .seconds(600)
        settings.maxBackoff = .seconds(600)
        settings.maxFailures = 5
        let harness = try TestDaemon(supervisor: settings)
        try harness.addModule("trapper", wat: TestModules.trap)
        let daemon = try await harness.start()
        try await eventually("waiting to start again") { await daemon.module("trapper")?.state == .backoff }
        await harness.stop()
        let trapper = try #require(await daemon.module("trapper"))
        #expect(trapper.state == .stopped)
        #expect(trapper.reason == "the daemon stopped")
        #expect(trapper.restarts == 0)
        #expect(trapper.consecutiveFailures == 1)
    }

    @Test("code that cannot be loaded counts as failures however long loading took, and is parked")
    func loadFailuresPark() async throws {
        var settings = SupervisorSettings()
        settings.initialBackoff = .milliseconds(50)
        settings.maxBackoff = .milliseconds(200)
        settings.maxFailures = 3
        // Every run lasting at least zero is healthy: only a run that never began must not count.
        settings.healthyAfter = .zero
        let harness = try TestDaemon(supervisor: settings)
        let missing = harness.root.appendingPathComponent("missing.wasm")
        try harness.addModule("absent", wat: TestModules.trap) { $0.source = .file(missing.path) }
        let daemon = try await harness.start()
        try await eventually("parked, or restarted past max-failures") {
            let module = await daemon.module("absent")
            return module?.state == .parked || (module?.restarts ?? 0) >= 3
        }
        let absent = try #require(await daemon.module("absent"))
        #expect(absent.state == .parked)
        #expect(absent.consecutiveFailures == 3)
        #expect(absent.reason?.contains("cannot read module") == true)
        await harness.stop()
    }

    @Test("a module spinning without host calls is stopped as hung and restarted")
    func hangIsDetected() async throws {
        let harness = try TestDaemon()
        try harness.addModule("spinner", wat: TestModules.spin) { $0.limits.hangAfter = .seconds(1) }
        let daemon = try await harness.start()
        try await eventually("hung and restarted", limit: .seconds(90)) { (await daemon.module("spinner")?.restarts ?? 0) >= 1 }
        #expect(harness.messages(of: "spinner").contains { $0.contains("hung") && $0.contains("hang-after") })
        await harness.stop()
    }

    @Test("a module over its CPU share is throttled and the event names the limit")
    func throttlingIsReported() async throws {
        let harness = try TestDaemon()
        try harness.addModule("hog", wat: TestModules.spin) { $0.limits.cpuPercent = 10 }
        let daemon = try await harness.start()
        try await eventually("throttle event") { harness.messages(of: "hog").contains { $0.contains("limit: cpu") } }
        let hog = try #require(await daemon.module("hog"))
        #expect(hog.state == .running)
        #expect(hog.cpuLimitPercent == 10)
        await harness.stop()
    }

    @Test("a module over its memory limit is stopped with an event naming the limit")
    func memoryLimit() async throws {
        let harness = try TestDaemon()
        try harness.addModule("grower", wat: TestModules.grow) { $0.limits.memoryBytes = 4 << 20 }
        let daemon = try await harness.start()
        try await eventually("memory event") { harness.messages(of: "grower").contains { $0.contains("limit hit: memory") } }
        try await eventually("parked") { await daemon.module("grower")?.state == .parked }
        await harness.stop()
    }

    @Test("restart = never leaves a module stopped after a clean exit; on-failure too")
    func restartPolicies() async throws {
        let harness = try TestDaemon()
        try harness.addModule("once", wat: TestModules.finisher(jobs: 2)) { $0.restart = .never }
        try harness.addModule("onfail", wat: TestModules.finisher(jobs: 1)) { $0.restart = .onFailure }
        try harness.addModule("always", wat: TestModules.finisher(jobs: 1)) { $0.restart = .always }
        let daemon = try await harness.start()
        try await eventually("once stopped") { await daemon.module("once")?.state == .stopped }
        try await eventually("onfail stopped") { await daemon.module("onfail")?.state == .stopped }
        try await eventually("always restarted") { (await daemon.module("always")?.restarts ?? 0) >= 2 }
        #expect(await daemon.module("once")?.jobs == 2)
        #expect(await daemon.module("once")?.restarts == 0)
        await harness.stop()
    }
}
