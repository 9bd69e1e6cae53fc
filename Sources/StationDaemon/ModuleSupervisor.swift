import Foundation
import Multiformats
import Sandbox
import SandboxEngine
import StationConfig
import StationHost
import StationStatus

/// Keeps one module running: starts it on its own thread, watches it, and when it ends decides
/// what comes next — a restart after an exponential backoff with jitter, parking after too many
/// failures in a row (or at once for code that can never run), or nothing (its restart policy, or
/// shutdown). Other modules are never disturbed: everything here is per module.
final class ModuleSupervisor: @unchecked Sendable {
    let manifest: ModuleManifest
    let effective: EffectiveLimits
    private let context: DaemonContext
    private let meter = HostCallMeter()
    private let wake = WakeSignal()
    private let lock = NSLock()
    private var task: Task<Void, Never>?

    // Guarded by `lock`.
    private var state: ModuleState = .stopped
    private var reason: String?
    private var restarts = 0
    private var consecutiveFailures = 0
    private var nextStartAt: Date?
    private var runningSince: Date?
    private var engineName: String?
    private var runner: ModuleRunner?
    private var stopping = false
    private var restartRequested = false
    private var hung = false
    private var throttleReported = false
    private var sourceOverride: String?
    private var pastCPU: Duration = .zero
    private var cpuSample: (wall: ContinuousClock.Instant, cpu: Duration)?
    private var cpuPercent = 0.0

    init(manifest: ModuleManifest, effective: EffectiveLimits, context: DaemonContext) {
        self.manifest = manifest
        self.effective = effective
        self.context = context
        self.sourceOverride = try? context.database.moduleUpdate(for: manifest.name)
    }

    var name: String { manifest.name }

    /// Guest code running this long without a host call counts as hung.
    var hangAfter: Duration? { manifest.limits.hangAfter ?? DaemonDefaults.moduleLimits.hangAfter }

    /// The code the module runs now: its manifest's, or the CID it was updated to.
    var source: ModuleSource {
        lock.withLock { sourceOverride.map(ModuleSource.cid) ?? manifest.source }
    }

    // MARK: Life cycle

    /// Starts supervising (the first run begins at once).
    func start() {
        lock.withLock {
            state = .starting
            task = Task { [self] in await superviseLoop() }
        }
    }

    /// Asks the module to stop (it is not started again); returns at once.
    func requestStop() {
        let current: ModuleRunner? = lock.withLock {
            stopping = true
            return runner
        }
        current?.stop(.runtime("the daemon is stopping"))
        wake.signal()
    }

    /// Waits until the supervision loop has ended.
    func waitUntilStopped() async {
        let current = lock.withLock { task }
        await current?.value
    }

    /// Starts the module again now: ends the current run (not counted as a failure), cuts a
    /// backoff short, un-parks a parked module.
    func restartNow() {
        let current: ModuleRunner? = lock.withLock {
            restartRequested = true
            consecutiveFailures = 0
            if (state == .parked || state == .stopped) && !stopping {
                state = .starting
                reason = nil
                let old = task
                task = Task { [self] in
                    await old?.value
                    await superviseLoop()
                }
            }
            return runner
        }
        current?.stop(.runtime("restarted by request"))
        wake.signal()
    }

    /// Fetches and checks the module at `cid`, remembers it (across daemon restarts), and swaps
    /// it in: the current run ends and the new code starts.
    func update(to cid: String) async throws -> String {
        let parsed: CID
        do {
            parsed = try CID(cid)
        } catch {
            throw StatusActionError.invalid("'\(cid)' is not a CID: \(error)")
        }
        do {
            _ = try await context.code.loadCID(parsed.description, name: name)
        } catch {
            throw StatusActionError.failed("cannot use \(parsed) for \(name): \(error)")
        }
        do {
            try context.database.saveModuleUpdate(module: name, cid: parsed.description)
        } catch {
            throw StatusActionError.failed("cannot record the update: \(error)")
        }
        lock.withLock { sourceOverride = parsed.description }
        note(.info, "updated to ipfs://\(parsed); restarting")
        restartNow()
        return "\(name) now runs ipfs://\(parsed)"
    }

    // MARK: Supervision

    private func superviseLoop() async {
        while true {
            let proceed: Bool = lock.withLock {
                if stopping {
                    state = .stopped
                    reason = "the daemon stopped"
                    return false
                }
                state = .starting
                restartRequested = false
                hung = false
                throttleReported = false
                nextStartAt = nil
                return true
            }
            guard proceed else { return }
            wake.clear()

            let started = ContinuousClock.now
            let result = await runOnce()
            let ranFor = ContinuousClock.now - started
            guard case .startAgain(let after) = decide(result, ranFor: ranFor) else { return }
            if let delay = after {
                lock.withLock { nextStartAt = Date().addingTimeInterval(delay.inSeconds) }
                await wake.wait(timeout: delay)
            }
            lock.withLock { restarts += 1 }
        }
    }

    /// What a run produced, as the supervisor sees it.
    private enum RunResult {
        case cleanExit
        case failed(String, permanent: Bool)
        case interrupted
    }

    /// What the supervision loop does after a run.
    private enum NextStep {
        case end
        case startAgain(after: Duration?)
    }

    /// Decides after a run, records the new state and reports it.
    private func decide(_ result: RunResult, ranFor: Duration) -> NextStep {
        let policy = manifest.restart
        let settings = context.configuration.supervisor
        let (step, report): (NextStep, (ActivityLevel, String)?) = lock.withLock {
            func end(_ newState: ModuleState, _ why: String, report: (ActivityLevel, String)?) -> (NextStep, (ActivityLevel, String)?) {
                state = newState
                reason = why
                return (.end, report)
            }
            if stopping { return end(.stopped, "the daemon stopped", report: nil) }
            if restartRequested { return (.startAgain(after: nil), nil) }
            switch result {
            case .interrupted:
                return (.startAgain(after: nil), nil)
            case .cleanExit:
                guard policy == .always else {
                    let why = "exited (restart = \(policy.rawValue))"
                    return end(.stopped, why, report: (.info, "stopped: \(why)"))
                }
                if ranFor >= settings.healthyAfter { consecutiveFailures = 0 }
                state = .backoff
                reason = "exited; starting again"
                return (.startAgain(after: settings.initialBackoff), nil)
            case .failed(let message, let permanent):
                if ranFor >= settings.healthyAfter { consecutiveFailures = 0 }
                consecutiveFailures += 1
                let parked = "Fix it and restart it from the dashboard or with `station module restart \(name)`"
                if permanent {
                    let why = "cannot run: \(message)"
                    return end(.parked, why, report: (.error, "parked: \(why). \(parked)"))
                }
                if policy == .never {
                    let why = "failed (restart = never): \(message)"
                    return end(.stopped, why, report: (.info, "stopped: \(why)"))
                }
                if consecutiveFailures >= settings.maxFailures {
                    let why = "failed \(consecutiveFailures) times in a row; last: \(message)"
                    return end(.parked, why, report: (.error, "parked: \(why). \(parked)"))
                }
                let delay = context.backoff.delay(afterFailures: consecutiveFailures)
                state = .backoff
                reason = message
                return (.startAgain(after: delay), (.error, "\(message); restarting in \(Units.formatDuration(delay)) (failure \(consecutiveFailures) of \(settings.maxFailures))"))
            }
        }
        if let (level, message) = report { note(level, message) }
        return step
    }

    /// Loads the code and runs it once.
    private func runOnce() async -> RunResult {
        let loaded: LoadedModule
        do {
            loaded = try await context.code.load(source, name: name)
        } catch let error as SandboxError {
            return .failed("\(error)", permanent: Self.isPermanent(error))
        } catch {
            return .failed("cannot get the module's code: \(error)", permanent: false)
        }

        let operations: StationOperations
        let runner: ModuleRunner
        let output = ModuleOutputLog(url: context.layout.outputLog(name))
        defer { output.close() }
        do {
            try context.layout.prepareModule(name, files: manifest.grants.files)
            operations = StationOperations(
                configuration: try stationConfiguration(), events: context.events, jobs: context.jobs,
                p2pNode: manifest.grants.p2p.isEmpty ? nil : context.node,
                content: manifest.grants.ipfs ? context.content : nil)
            var run = RunConfiguration(module: loaded)
            run.arguments = manifest.arguments
            run.environment = manifest.environment.map { ($0.name, $0.value) }
            if manifest.grants.files {
                run.directories = [DirectoryGrant(hostPath: context.layout.dataFolder(name).path, guestPath: "/data")]
            }
            run.stdin = .none
            run.stdout = output
            run.stderr = output
            run.limits = limits()
            run.engine = context.engine
            run.stoppable = true
            run.hostFunctions = StationABI.hostFunctions(operations)
            let meter = self.meter
            run.hostFunctionWrapper = { meter.wrap($0) }
            runner = ModuleRunner(configuration: run)
            operations.attach(governor: runner.governor)
        } catch {
            return .failed("cannot prepare the module: \(error)", permanent: false)
        }

        let cancelled: Bool = lock.withLock {
            if stopping || restartRequested { return true }
            self.runner = runner
            state = .running
            reason = nil
            runningSince = Date()
            cpuSample = nil
            return false
        }
        if cancelled {
            operations.close()
            return .interrupted
        }
        meter.beginRun()
        let outcome = await runner.run()
        operations.close()
        meter.noteMemory(outcome.memoryBytes)
        let (wasHung, wasStopping, wasRestart) = lock.withLock {
            self.runner = nil
            runningSince = nil
            engineName = outcome.engine.isEmpty ? engineName : outcome.engine
            pastCPU += outcome.cpuTime
            cpuPercent = 0
            return (hung, stopping, restartRequested)
        }
        if wasStopping || wasRestart { return .interrupted }
        if wasHung {
            let limit = hangAfter.map(Units.formatDuration) ?? "?"
            return .failed("hung: ran guest code for \(limit) without calling the host (limit: hang-after)", permanent: false)
        }
        if let error = outcome.error {
            return .failed("\(error)", permanent: Self.isPermanent(error))
        }
        if outcome.exitStatus != 0 {
            return .failed("exited with status \(outcome.exitStatus)", permanent: false)
        }
        return .cleanExit
    }

    /// Errors that the same code will hit on every start: no point retrying.
    static func isPermanent(_ error: SandboxError) -> Bool {
        switch error {
        case .invalidModule, .missingImport, .link, .missingExport: true
        default: false
        }
    }

    private func limits() -> Limits {
        var limits = Limits.defaults
        limits.memoryBytes = effective.memoryBytes
        if let cpu = effective.cpuPercent, cpu < 100 { limits.cpuShare = max(cpu, 0.1) / 100 }
        limits.storageBytes = effective.storageBytes
        limits.fuel = manifest.limits.fuel
        limits.timeout = manifest.limits.timeout
        if let stack = manifest.limits.stackBytes { limits.stackBytes = stack }
        return limits
    }

    private func stationConfiguration() throws -> StationModuleConfiguration {
        var configuration = StationModuleConfiguration(identity: .fromEnvironment(moduleName: name))
        configuration.networkPolicy = try NetworkPolicy(allowing: manifest.grants.net)
        if let rate = manifest.limits.netRateBytes { configuration.networkLimits.bytesPerSecond = Int(clamping: rate) }
        if let size = manifest.limits.maxResponseBytes { configuration.networkLimits.maxResponseBytes = Int(clamping: size) }
        configuration.maxHandles = manifest.limits.maxHandles ?? DaemonDefaults.moduleLimits.maxHandles ?? 256
        if manifest.grants.kv {
            configuration.keyValuePath = context.layout.keyValueFile(name).path
            configuration.keyValueLimits.quotaBytes = effective.kvQuotaBytes
        }
        configuration.p2p = P2PGrants(protocols: manifest.grants.p2p, allowPrivateAddresses: manifest.grants.p2pLocal)
        configuration.ipfs = manifest.grants.ipfs
        if let rate = manifest.limits.activityPerSecond { configuration.activityPerSecond = rate }
        if let burst = manifest.limits.activityBurst { configuration.activityBurst = burst }
        return configuration
    }

    // MARK: Watchdog

    /// Called about once a second by the daemon: samples CPU, notes throttling, stops a hung run.
    func tick() {
        let now = ContinuousClock.now
        var throttledNote: String?
        var hungRunner: ModuleRunner?
        lock.withLock {
            guard let runner, state == .running else { return }
            if let live = runner.cpuTimeSoFar() {
                if let sample = cpuSample, now > sample.wall {
                    cpuPercent = (live - sample.cpu).inSeconds / (now - sample.wall).inSeconds * 100
                }
                cpuSample = (now, live)
            }
            if !throttleReported, runner.governor.throttledTime > .milliseconds(500), let share = runner.configuration.limits.cpuShare {
                throttleReported = true
                throttledNote = "throttled: held to \(Self.percent(share * 100)) of one core (limit: cpu)"
            }
            if !hung, let limit = hangAfter, let idle = meter.timeSinceHostCall(), idle >= limit {
                hung = true
                hungRunner = runner
            }
        }
        if let throttledNote { note(.info, throttledNote) }
        if let hungRunner {
            hungRunner.stop(.runtime("hung"))
        }
    }

    // MARK: Status

    func snapshot(storageBytes: UInt64) -> ModuleSnapshot {
        let sourceText = source.description
        return lock.withLock {
            ModuleSnapshot(
                name: name, version: sourceOverride == nil ? manifest.version : "\(manifest.version)+update",
                source: sourceText, state: state, reason: reason, restarts: restarts,
                consecutiveFailures: consecutiveFailures, nextStartAt: state == .backoff ? nextStartAt : nil,
                runningSince: runningSince, engine: engineName, jobs: context.jobs.count(for: name),
                cpuSeconds: (pastCPU + (runner?.cpuTimeSoFar() ?? .zero)).inSeconds, cpuPercent: cpuPercent,
                cpuLimitPercent: effective.cpuPercent, memoryBytes: UInt64(max(0, meter.memoryBytes)),
                memoryLimitBytes: effective.memoryBytes, storageBytes: storageBytes,
                storageLimitBytes: effective.dataFolderBytes,
                networkBytesIn: meter.bytesReceived, networkBytesOut: meter.bytesSent,
                lastActivity: context.events.lastActivity(of: name))
        }
    }

    var currentState: ModuleState { lock.withLock { state } }

    // MARK: Helpers

    private func note(_ level: ActivityLevel, _ message: String) {
        context.events.emit(.activity(module: name, level: level, message: message))
    }

    static func percent(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))%" : String(format: "%.1f%%", value)
    }
}
