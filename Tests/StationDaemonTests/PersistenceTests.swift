import Foundation
import StationConfig
import StationHost
import StationStatus
import Testing
@testable import StationDaemon

@Suite("Daemon state", .serialized)
struct PersistenceTests {
    @Test("job totals survive a daemon restart: one total per module, never going back")
    func jobTotalsPersist() async throws {
        let harness = try TestDaemon()
        try harness.addModule("counter", wat: TestModules.finisher(jobs: 3)) { $0.restart = .never }
        let first = try await harness.start()
        try await eventually("first run done") { await first.module("counter")?.state == .stopped }
        await harness.stop()
        #expect(harness.latestJobTotals?["counter"] == 3)

        let second = try await harness.start()
        try await eventually("second run done") { await second.module("counter")?.state == .stopped }
        await harness.stop()
        #expect(harness.latestJobTotals?["counter"] == 6)
        #expect(await second.module("counter")?.jobs == 6)
        let stored = try DaemonDatabase(url: DaemonLayout(stateDirectory: harness.configuration.stateDirectory, cacheDirectory: harness.configuration.cacheDirectory).database).jobTotals()
        #expect(stored["counter"] == 6)
    }

    /// The dashboard link carries the status token; it is printed for the operator but must never
    /// be recorded as activity, which `/api/v1/activity` serves.
    @Test("the status token is printed at start but never reaches the activity log")
    func tokenStaysOutOfTheActivityLog() async throws {
        let harness = try TestDaemon()
        try harness.addModule("a", wat: TestModules.worker(intervalMs: 1000))
        let daemon = try await harness.start(statusPort: 0, statusDisabled: false)
        let token = try #require(daemon.statusToken)
        #expect(harness.messages(of: "station").contains { $0.contains("#token=\(token)") })
        // The link used to be recorded as activity in the same step that printed it, so no
        // waiting is needed for it to show up here.
        let activity = await daemon.activity(limit: 10_000)
        #expect(!activity.contains { "\($0)".contains(token) })
        await harness.stop()
    }

    @Test("the first event is activity:started; stop ends every module within the deadline")
    func startedAndGracefulStop() async throws {
        let harness = try TestDaemon()
        try harness.addModule("a", wat: TestModules.worker(intervalMs: 1000))
        try harness.addModule("b", wat: TestModules.spin)
        let daemon = try await harness.start()
        #expect(harness.events.events.first == .started)
        try await eventually("both running") {
            let modules = await daemon.snapshot().modules
            return modules.allSatisfy { $0.state == .running }
        }
        await harness.stop()
        let modules = await daemon.snapshot().modules
        #expect(modules.allSatisfy { $0.state == .stopped })
        #expect(!harness.messages(of: "station").contains { $0.contains("still running after the stop deadline") })
    }
}

@Suite("State folder lock", .serialized)
struct StateLockTests {
    @Test("a second daemon on the same state folder is refused with the holder's pid; the lock goes with the first")
    func secondDaemonRefused() async throws {
        let first = try TestDaemon()
        try first.addModule("a", wat: TestModules.worker(intervalMs: 1000))
        _ = try await first.start()
        var refused = first.configuration
        refused.status.enabled = false
        let second = StationDaemon(configuration: refused, options: StationDaemon.Options(output: CollectingEventSink(), version: "test"))
        do {
            try await second.start()
            Issue.record("a second daemon started on the same state folder")
        } catch {
            #expect("\(error)".contains("another station daemon (pid \(getpid()))"), "\(error)")
        }
        await first.stop()
        var configuration = first.configuration
        configuration.status.enabled = false
        let third = StationDaemon(configuration: configuration, options: StationDaemon.Options(output: CollectingEventSink(), version: "test"))
        try await third.start()
        await third.stop()
    }
}
