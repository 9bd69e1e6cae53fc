import SandboxEngine
import StationConfig
import StationStatus
import Testing
@testable import StationDaemon

/// One transition of ``SupervisionPolicy/afterRun``: the state before, how the run ended, and what
/// must follow.
struct AfterRunRow: Sendable, CustomTestStringConvertible {
    var name: String
    var before = SupervisionState(phase: .running, reason: nil, restarts: 4, consecutiveFailures: 0)
    var ended: RunEnd
    var ranFor: Duration? = .seconds(2)
    var policy: RestartPolicy = .always
    var stopping = false
    var restartRequested = false
    var random = 0.5
    // Expected.
    var phase: ModuleState
    var reason: String?
    var failures: Int
    var next: NextStart
    var report: SupervisionReport?

    var testDescription: String { name }
}

private let trap = RunFailure.trap("trap: unreachable")
private let hint = "Fix it and restart it from the dashboard or with `station module restart m`"

/// Every rule of the table in ``SupervisionPolicy``'s doc comment, with settings: initial backoff
/// 1 s, maximum 60 s, jitter 0.2, 3 failures park, 60 s is healthy. Random 0.5 is no jitter.
private let afterRunRows: [AfterRunRow] = [
    // The daemon stopping wins over everything.
    AfterRunRow(name: "stopping after a trap", ended: .failed(trap), stopping: true,
                phase: .stopped, reason: "the daemon stopped", failures: 0, next: .never),
    AfterRunRow(name: "stopping wins over a restart request", ended: .interrupted, stopping: true, restartRequested: true,
                phase: .stopped, reason: "the daemon stopped", failures: 0, next: .never),
    // A restart request: start again at once, nothing counted, state untouched.
    AfterRunRow(name: "restart request after a trap is not a failure",
                before: SupervisionState(phase: .running, reason: nil, restarts: 4, consecutiveFailures: 2),
                ended: .failed(trap), restartRequested: true,
                phase: .running, reason: nil, failures: 2, next: .now),
    AfterRunRow(name: "restart request wins over restart = never", ended: .exited, policy: .never, restartRequested: true,
                phase: .running, reason: nil, failures: 0, next: .now),
    AfterRunRow(name: "restart request wins over code that cannot run", ended: .failed(.cannotRun("invalid module: x")), restartRequested: true,
                phase: .running, reason: nil, failures: 0, next: .now),
    AfterRunRow(name: "interrupted without a request starts again at once", ended: .interrupted,
                phase: .running, reason: nil, failures: 0, next: .now),
    // Clean exits.
    AfterRunRow(name: "clean exit, restart = never", ended: .exited, policy: .never,
                phase: .stopped, reason: "exited (restart = never)", failures: 0, next: .never,
                report: SupervisionReport(level: .info, message: "stopped: exited (restart = never)")),
    AfterRunRow(name: "clean exit, restart = on-failure", ended: .exited, policy: .onFailure,
                phase: .stopped, reason: "exited (restart = on-failure)", failures: 0, next: .never,
                report: SupervisionReport(level: .info, message: "stopped: exited (restart = on-failure)")),
    AfterRunRow(name: "clean exit, restart = always, short run keeps the count",
                before: SupervisionState(phase: .running, reason: nil, restarts: 4, consecutiveFailures: 2),
                ended: .exited,
                phase: .backoff, reason: "exited; starting again", failures: 2, next: .after(.seconds(1))),
    AfterRunRow(name: "clean exit, restart = always, healthy run resets the count",
                before: SupervisionState(phase: .running, reason: nil, restarts: 4, consecutiveFailures: 2),
                ended: .exited, ranFor: .seconds(60),
                phase: .backoff, reason: "exited; starting again", failures: 0, next: .after(.seconds(1))),
    AfterRunRow(name: "clean exit, restart = always, no jitter on the wait", ended: .exited, random: 0,
                phase: .backoff, reason: "exited; starting again", failures: 0, next: .after(.seconds(1))),
    // Failures that are retried, one row per kind.
    AfterRunRow(name: "trap: failure 1, backoff 1 s", ended: .failed(trap),
                phase: .backoff, reason: "trap: unreachable", failures: 1, next: .after(.seconds(1)),
                report: SupervisionReport(level: .error, message: "trap: unreachable; restarting in 1 s (failure 1 of 3)")),
    AfterRunRow(name: "limit under on-failure: failure 2, backoff 2 s",
                before: SupervisionState(phase: .running, reason: nil, restarts: 4, consecutiveFailures: 1),
                ended: .failed(.limit("limit hit: memory (x)")), policy: .onFailure,
                phase: .backoff, reason: "limit hit: memory (x)", failures: 2, next: .after(.seconds(2)),
                report: SupervisionReport(level: .error, message: "limit hit: memory (x); restarting in 2 s (failure 2 of 3)")),
    AfterRunRow(name: "non-zero exit", ended: .failed(.exitStatus(3)),
                phase: .backoff, reason: "exited with status 3", failures: 1, next: .after(.seconds(1)),
                report: SupervisionReport(level: .error, message: "exited with status 3; restarting in 1 s (failure 1 of 3)")),
    AfterRunRow(name: "hang", ended: .failed(.hung(after: .seconds(5))),
                phase: .backoff, reason: "hung: ran guest code for 5 s without calling the host (limit: hang-after)",
                failures: 1, next: .after(.seconds(1)),
                report: SupervisionReport(level: .error, message: "hung: ran guest code for 5 s without calling the host (limit: hang-after); restarting in 1 s (failure 1 of 3)")),
    AfterRunRow(name: "code not available", ended: .failed(.error("cannot get the module's code: gone")),
                phase: .backoff, reason: "cannot get the module's code: gone", failures: 1, next: .after(.seconds(1)),
                report: SupervisionReport(level: .error, message: "cannot get the module's code: gone; restarting in 1 s (failure 1 of 3)")),
    AfterRunRow(name: "code not fetched, however long it took, never looks healthy",
                before: SupervisionState(phase: .starting, reason: "cannot get the module's code: timed out", restarts: 4, consecutiveFailures: 2),
                ended: .failed(.error("cannot get the module's code: timed out")), ranFor: nil,
                phase: .parked, reason: "failed 3 times in a row; last: cannot get the module's code: timed out", failures: 3, next: .never,
                report: SupervisionReport(level: .error, message: "parked: failed 3 times in a row; last: cannot get the module's code: timed out. \(hint)")),
    AfterRunRow(name: "clean exit right after starting keeps the count",
                before: SupervisionState(phase: .running, reason: nil, restarts: 4, consecutiveFailures: 1),
                ended: .exited, ranFor: .zero,
                phase: .backoff, reason: "exited; starting again", failures: 1, next: .after(.seconds(1))),
    AfterRunRow(name: "jitter is applied to a failure's wait",
                before: SupervisionState(phase: .running, reason: nil, restarts: 4, consecutiveFailures: 1),
                ended: .failed(trap), random: 0,
                phase: .backoff, reason: "trap: unreachable", failures: 2, next: .after(.milliseconds(1600)),
                report: SupervisionReport(level: .error, message: "trap: unreachable; restarting in 1.6 s (failure 2 of 3)")),
    AfterRunRow(name: "healthy run resets the count before the failure is counted",
                before: SupervisionState(phase: .running, reason: nil, restarts: 4, consecutiveFailures: 2),
                ended: .failed(trap), ranFor: .seconds(90),
                phase: .backoff, reason: "trap: unreachable", failures: 1, next: .after(.seconds(1)),
                report: SupervisionReport(level: .error, message: "trap: unreachable; restarting in 1 s (failure 1 of 3)")),
    // Failures that end supervision.
    AfterRunRow(name: "max-failures in a row parks",
                before: SupervisionState(phase: .running, reason: nil, restarts: 4, consecutiveFailures: 2),
                ended: .failed(trap),
                phase: .parked, reason: "failed 3 times in a row; last: trap: unreachable", failures: 3, next: .never,
                report: SupervisionReport(level: .error, message: "parked: failed 3 times in a row; last: trap: unreachable. \(hint)")),
    AfterRunRow(name: "code that cannot run parks at once",
                ended: .failed(.cannotRun("invalid module: x")),
                phase: .parked, reason: "cannot run: invalid module: x", failures: 1, next: .never,
                report: SupervisionReport(level: .error, message: "parked: cannot run: invalid module: x. \(hint)")),
    AfterRunRow(name: "code that cannot run parks even under restart = never",
                ended: .failed(.cannotRun("invalid module: x")), policy: .never,
                phase: .parked, reason: "cannot run: invalid module: x", failures: 1, next: .never,
                report: SupervisionReport(level: .error, message: "parked: cannot run: invalid module: x. \(hint)")),
    AfterRunRow(name: "failure under restart = never stops", ended: .failed(trap), policy: .never,
                phase: .stopped, reason: "failed (restart = never): trap: unreachable", failures: 1, next: .never,
                report: SupervisionReport(level: .info, message: "stopped: failed (restart = never): trap: unreachable")),
]

@Suite("Supervision policy")
struct SupervisionPolicyTests {
    static let settings: SupervisorSettings = {
        var settings = SupervisorSettings()
        settings.initialBackoff = .seconds(1)
        settings.maxBackoff = .seconds(60)
        settings.jitter = 0.2
        settings.maxFailures = 3
        settings.healthyAfter = .seconds(60)
        return settings
    }()

    @Test("after a run", arguments: afterRunRows)
    func afterRun(_ row: AfterRunRow) {
        let decision = SupervisionPolicy.afterRun(
            row.before, ended: row.ended, ranFor: row.ranFor, policy: row.policy, settings: Self.settings,
            stopping: row.stopping, restartRequested: row.restartRequested, module: "m", random: row.random)
        #expect(decision.state.phase == row.phase)
        #expect(decision.state.reason == row.reason)
        #expect(decision.state.consecutiveFailures == row.failures)
        #expect(decision.state.restarts == row.before.restarts)
        #expect(decision.next == row.next)
        #expect(decision.report == row.report)
    }

    @Test("the worked example of the doc comment: traps after 2, 2, 90, 2, 2 s")
    func workedExample() {
        var state = SupervisionState(phase: .running)
        var waits: [NextStart] = []
        var counts: [Int] = []
        for seconds in [2, 2, 90, 2, 2] {
            let decision = SupervisionPolicy.afterRun(
                state, ended: .failed(trap), ranFor: .seconds(seconds), policy: .always, settings: Self.settings,
                stopping: false, restartRequested: false, module: "m", random: 0.5)
            state = decision.state
            waits.append(decision.next)
            counts.append(state.consecutiveFailures)
        }
        #expect(counts == [1, 2, 1, 2, 3])
        #expect(waits == [.after(.seconds(1)), .after(.seconds(2)), .after(.seconds(1)), .after(.seconds(2)), .never])
        #expect(state.phase == .parked)
    }

    @Test("before a start")
    func beforeStart() {
        let waiting = SupervisionState(phase: .backoff, reason: "trap: unreachable", restarts: 2, consecutiveFailures: 1)
        // The first start of a stretch is not a restart.
        #expect(SupervisionPolicy.beforeStart(waiting, stopping: false, again: false)
            == SupervisionState(phase: .starting, reason: "trap: unreachable", restarts: 2, consecutiveFailures: 1))
        // A start after a run is; the reason of the last end stays until the module runs.
        #expect(SupervisionPolicy.beforeStart(waiting, stopping: false, again: true)
            == SupervisionState(phase: .starting, reason: "trap: unreachable", restarts: 3, consecutiveFailures: 1))
        // Stopped during a backoff: no start, so no restart counted.
        #expect(SupervisionPolicy.beforeStart(waiting, stopping: true, again: true)
            == SupervisionState(phase: .stopped, reason: "the daemon stopped", restarts: 2, consecutiveFailures: 1))
    }

    @Test("a restart by hand", arguments: [
        (ModuleState.parked, false, ModuleState.starting, true),
        (.stopped, false, .starting, true),
        (.backoff, false, .backoff, false),
        (.running, false, .running, false),
        (.starting, false, .starting, false),
        (.parked, true, .parked, false),
        (.stopped, true, .stopped, false),
    ])
    func restartByHand(from phase: ModuleState, stopping: Bool, to expected: ModuleState, begins: Bool) {
        let before = SupervisionState(phase: phase, reason: "why", restarts: 2, consecutiveFailures: 3)
        let (after, began) = SupervisionPolicy.restartRequested(before, stopping: stopping)
        #expect(after.phase == expected)
        #expect(after.reason == (begins ? nil : "why"))
        #expect(after.consecutiveFailures == 0)
        #expect(after.restarts == 2)
        #expect(began == begins)
    }

    @Test("errors are sorted into failure kinds; only code that cannot run is permanent")
    func failureKinds() {
        let cases: [(SandboxError, RunFailure, Bool)] = [
            (.invalidModule(reason: "x", offset: nil), .cannotRun("invalid module: x"), true),
            (.missingExport("_start"), .cannotRun("the module exports no function '_start'"), true),
            (.link("y"), .cannotRun("cannot instantiate module: y"), true),
            (.limitExceeded(.memory, detail: "z"), .limit("limit hit: memory (z)"), false),
            (.runtime("w"), .error("runtime error: w"), false),
            (.engineUnavailable("v"), .error("engine unavailable: v"), false),
        ]
        for (error, failure, permanent) in cases {
            #expect(RunFailure(error) == failure)
            #expect(RunFailure(error).isPermanent == permanent)
        }
        #expect(RunFailure.hung(after: nil).message == "hung: ran guest code for ? without calling the host (limit: hang-after)")
        #expect(!RunFailure.exitStatus(1).isPermanent)
    }
}
