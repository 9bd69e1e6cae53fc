import SandboxEngine
import Units
import StationConfig
import StationHost
import StationStatus

/// How a run ended, as supervision sees it.
enum RunEnd: Sendable, Hashable {
    /// The module returned from `_start` or called `proc_exit(0)`.
    case exited
    /// The run failed, or could not begin.
    case failed(RunFailure)
    /// A stop or restart request ended the run, or kept it from beginning: not the module's doing.
    case interrupted
}

/// What went wrong in a run.
enum RunFailure: Sendable, Hashable {
    /// The guest trapped (`unreachable`, an out-of-bounds access, …); the text describes the trap.
    case trap(String)
    /// The guest hit one of its limits (memory, fuel, timeout, …); the text names it.
    case limit(String)
    /// The guest exited with a status other than 0.
    case exitStatus(Int32)
    /// The guest ran code for `hang-after` (nil: not known) without calling the host and was stopped.
    case hung(after: Duration?)
    /// Code that can never run as it is: invalid, or an import or export is missing or does not link.
    case cannotRun(String)
    /// Anything else: the code could not be fetched, read or prepared, or the runtime failed. The
    /// next attempt may work.
    case error(String)

    /// Sorts an error from loading or running the code.
    init(_ error: SandboxError) {
        switch error {
        case .invalidModule, .missingImport, .link, .missingExport: self = .cannotRun("\(error)")
        case .trap: self = .trap("\(error)")
        case .limitExceeded: self = .limit("\(error)")
        case .unreadableModule, .engineUnavailable, .runtime: self = .error("\(error)")
        }
    }

    /// The failure in words, as the dashboard's reason and the activity log show it.
    var message: String {
        switch self {
        case .trap(let text), .limit(let text), .cannotRun(let text), .error(let text): text
        case .exitStatus(let status): "exited with status \(status)"
        case .hung(let after):
            "hung: ran guest code for \(after.map(Units.formatDuration) ?? "?") without calling the host (limit: hang-after)"
        }
    }

    /// The same code fails the same way on every start: no point retrying.
    var isPermanent: Bool {
        if case .cannotRun = self { true } else { false }
    }
}

/// What supervision remembers about one module between runs.
struct SupervisionState: Sendable, Hashable {
    /// What the dashboard shows.
    var phase: ModuleState = .stopped
    /// Why the module is in `phase` (nil while it runs normally).
    var reason: String?
    /// Starts that followed a run (starting a parked or stopped module by hand is not one).
    var restarts = 0
    /// Failures since the last healthy run or restart by hand.
    var consecutiveFailures = 0
}

/// When the supervision loop starts the module again.
enum NextStart: Sendable, Hashable {
    /// Not at all: supervision ends (stopped or parked).
    case never
    /// At once (a restart by request).
    case now
    /// After waiting this long; a restart request or shutdown cuts the wait short.
    case after(Duration)
}

/// An activity note for the module's log.
struct SupervisionReport: Sendable, Hashable {
    var level: ActivityLevel
    var message: String
}

/// What supervision does next.
struct SupervisionDecision: Sendable, Hashable {
    var state: SupervisionState
    var next: NextStart
    var report: SupervisionReport?
}

/// The supervision rules, as pure functions: ``ModuleSupervisor`` only runs the module, measures,
/// and applies what these return.
///
/// After a run (``afterRun(_:ended:ranFor:policy:settings:stopping:restartRequested:module:random:)``),
/// the first rule that matches decides:
///
/// | case | phase | next start | failures |
/// |---|---|---|---|
/// | the daemon is stopping | stopped ("the daemon stopped") | never | kept |
/// | a restart was requested, or the run was interrupted | unchanged | now | kept (a request already zeroed it) |
/// | clean exit, restart ≠ always | stopped ("exited (restart = …)") | never | kept |
/// | clean exit, restart = always | backoff ("exited; starting again") | after `initial-backoff` | 0 if the run was healthy |
/// | failure that can never run | parked ("cannot run: …") | never | +1 |
/// | failure, restart = never | stopped ("failed (restart = never): …") | never | +1 |
/// | failure number `max-failures` in a row | parked ("failed N times in a row; last: …") | never | +1 |
/// | any other failure | backoff (the failure) | after ``Backoff`` for that failure count | +1 |
///
/// A run is healthy when its guest code ran for `healthy-after` (loading does not count): the count
/// goes back to 0 before this failure is counted. Example (`max-failures` 3, `initial-backoff` 1 s, `healthy-after` 60 s, random 0.5
/// so no jitter): traps after 2 s, 2 s, 90 s, 2 s, 2 s of running give failure counts 1, 2, 1, 2,
/// 3 and waits 1 s, 2 s, 1 s, 2 s, then parked.
///
/// Before each start, ``beforeStart(_:stopping:again:)`` stops instead if the daemon is stopping;
/// a restart by hand goes through ``restartRequested(_:stopping:)``.
enum SupervisionPolicy {
    /// Tells the user how to get a parked module going again.
    static func unparkHint(_ module: String) -> String {
        "Fix it and restart it from the dashboard or with `station module restart \(module)`"
    }

    /// Decides what follows a run.
    /// - Parameters:
    ///   - ranFor: how long guest code ran; nil when it never began (the code could not be fetched,
    ///     loaded or prepared). Fetching a module by CID can take longer than `healthy-after`, but
    ///     is no sign of health.
    ///   - stopping: the daemon asked the module to stop.
    ///   - restartRequested: a restart (or update) was asked for since this run began.
    ///   - module: the module's name, for the report.
    ///   - random: a value in [0, 1) for the backoff's jitter (tests pass fixed ones).
    static func afterRun(
        _ state: SupervisionState, ended: RunEnd, ranFor: Duration?, policy: RestartPolicy, settings: SupervisorSettings,
        stopping: Bool, restartRequested: Bool, module: String, random: Double
    ) -> SupervisionDecision {
        var next = state
        func end(_ phase: ModuleState, _ why: String, _ report: SupervisionReport?) -> SupervisionDecision {
            next.phase = phase
            next.reason = why
            return SupervisionDecision(state: next, next: .never, report: report)
        }
        if stopping { return end(.stopped, "the daemon stopped", nil) }
        if restartRequested { return SupervisionDecision(state: state, next: .now, report: nil) }
        let healthy = ranFor.map { $0 >= settings.healthyAfter } ?? false
        switch ended {
        case .interrupted:
            return SupervisionDecision(state: state, next: .now, report: nil)
        case .exited:
            guard policy == .always else {
                let why = "exited (restart = \(policy.rawValue))"
                return end(.stopped, why, SupervisionReport(level: .info, message: "stopped: \(why)"))
            }
            if healthy { next.consecutiveFailures = 0 }
            next.phase = .backoff
            next.reason = "exited; starting again"
            return SupervisionDecision(state: next, next: .after(settings.initialBackoff), report: nil)
        case .failed(let failure):
            if healthy { next.consecutiveFailures = 0 }
            next.consecutiveFailures += 1
            let message = failure.message
            if failure.isPermanent {
                let why = "cannot run: \(message)"
                return end(.parked, why, SupervisionReport(level: .error, message: "parked: \(why). \(unparkHint(module))"))
            }
            if policy == .never {
                let why = "failed (restart = never): \(message)"
                return end(.stopped, why, SupervisionReport(level: .info, message: "stopped: \(why)"))
            }
            if next.consecutiveFailures >= settings.maxFailures {
                let why = "failed \(next.consecutiveFailures) times in a row; last: \(message)"
                return end(.parked, why, SupervisionReport(level: .error, message: "parked: \(why). \(unparkHint(module))"))
            }
            let delay = Backoff(settings).delay(afterFailures: next.consecutiveFailures, random: random)
            next.phase = .backoff
            next.reason = message
            let note = "\(message); restarting in \(Units.formatDuration(delay)) (failure \(next.consecutiveFailures) of \(settings.maxFailures))"
            return SupervisionDecision(state: next, next: .after(delay), report: SupervisionReport(level: .error, message: note))
        }
    }

    /// Before each start of a run: `starting`, or `stopped` when the daemon is stopping.
    /// - Parameter again: this start follows a run (it counts as a restart; a start that does not
    ///   happen does not).
    static func beforeStart(_ state: SupervisionState, stopping: Bool, again: Bool) -> SupervisionState {
        var next = state
        if stopping {
            next.phase = .stopped
            next.reason = "the daemon stopped"
            return next
        }
        next.phase = .starting
        if again { next.restarts += 1 }
        return next
    }

    /// A restart asked for by hand (or by an update): the failure count starts over, and a parked
    /// or stopped module starts again unless the daemon is stopping.
    /// - Returns: the new state, and whether a new stretch of supervision must begin (none runs).
    static func restartRequested(_ state: SupervisionState, stopping: Bool) -> (state: SupervisionState, begins: Bool) {
        var next = state
        next.consecutiveFailures = 0
        guard state.phase == .parked || state.phase == .stopped, !stopping else { return (next, false) }
        next.phase = .starting
        next.reason = nil
        return (next, true)
    }
}
