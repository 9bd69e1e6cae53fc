import Foundation
import Synchronization
import Multiformats
import Sandbox
import SandboxEngine
import StationConfig
import StationHost
import StationStatus

/// Keeps one module running: starts it on its own thread, watches it, and applies what
/// ``SupervisionPolicy`` decides when it ends — a restart after an exponential backoff with
/// jitter, parking after too many failures in a row (or at once for code that can never run), or
/// nothing (its restart policy, or shutdown). Other modules are never disturbed: everything here
/// is per module.
final class ModuleSupervisor: Sendable {
    let manifest: ModuleManifest
    let effective: EffectiveLimits
    /// This module's limits: its manifest's, its budget shares, the daemon's defaults
    /// (``ResolvedLimits``); fixed for the supervisor's life, so resolved once.
    private let resolvedLimits: ResolvedLimits
    private let context: DaemonContext
    private let meter = HostCallMeter()
    /// The code version whose imports were last checked against the grants.
    private let grantsCheckedFor = Mutex<String?>(nil)
    private let wake = WakeSignal()
    private let guarded: Mutex<Guarded>

    /// Everything that changes, behind one lock.
    private struct Guarded {
        var supervision = SupervisionState()
        var task: Task<Void, Never>?
        var nextStartAt: Date?
        var runningSince: Date?
        var engineName: String?
        var runner: ModuleRunner?
        var stopping = false
        var restartRequested = false
        var hung = false
        var throttleReported = false
        var sourceOverride: String?
        var pastCPU: Duration = .zero
        var cpuSample: (wall: ContinuousClock.Instant, cpu: Duration)?
        var cpuPercent = 0.0
    }

    init(manifest: ModuleManifest, effective: EffectiveLimits, context: DaemonContext) {
        self.manifest = manifest
        self.effective = effective
        self.resolvedLimits = ResolvedLimits(asked: manifest.limits, defaults: DaemonDefaults.moduleLimits, shares: effective)
        self.context = context
        var initial = Guarded()
        initial.sourceOverride = try? context.database.moduleUpdate(for: manifest.name)
        self.guarded = Mutex(initial)
    }

    var name: String { manifest.name }

    /// Guest code running this long without a host call counts as hung.
    var hangAfter: Duration? { resolvedLimits.hangAfter }

    /// The code the module runs now: its manifest's, or the CID it was updated to.
    var source: ModuleSource {
        guarded.withLock { $0.sourceOverride.map(ModuleSource.cid) ?? manifest.source }
    }

    // MARK: Life cycle

    /// Starts supervising (the first run begins at once).
    func start() {
        guarded.withLock { guarded in
            guarded.supervision.phase = .starting
            guarded.task = Task { [self] in await superviseLoop() }
        }
    }

    /// Asks the module to stop (it is not started again); returns at once.
    func requestStop() {
        let current: ModuleRunner? = guarded.withLock { guarded in
            guarded.stopping = true
            return guarded.runner
        }
        current?.stop(.runtime("the daemon is stopping"))
        wake.signal()
    }

    /// Waits until the supervision loop has ended.
    func waitUntilStopped() async {
        let current = guarded.withLock { $0.task }
        await current?.value
    }

    /// Starts the module again now: ends the current run (not counted as a failure), cuts a
    /// backoff short, un-parks a parked module.
    func restartNow() {
        let current: ModuleRunner? = guarded.withLock { guarded in
            guarded.restartRequested = true
            let (state, begins) = SupervisionPolicy.restartRequested(guarded.supervision, stopping: guarded.stopping)
            guarded.supervision = state
            if begins {
                let old = guarded.task
                guarded.task = Task { [self] in
                    await old?.value
                    await superviseLoop()
                }
            }
            return guarded.runner
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
        guarded.withLock { $0.sourceOverride = parsed.description }
        note(.info, "updated to ipfs://\(parsed); restarting")
        restartNow()
        return "\(name) now runs ipfs://\(parsed)"
    }

    // MARK: Supervision

    private func superviseLoop() async {
        var again = false
        while true {
            let proceed: Bool = guarded.withLock { guarded in
                guarded.supervision = SupervisionPolicy.beforeStart(guarded.supervision, stopping: guarded.stopping, again: again)
                guard guarded.supervision.phase == .starting else { return false }
                guarded.restartRequested = false
                guarded.hung = false
                guarded.throttleReported = false
                guarded.nextStartAt = nil
                return true
            }
            guard proceed else { return }
            wake.clear()

            let (ended, ranFor) = await runOnce()
            switch decide(ended, ranFor: ranFor) {
            case .never: return
            case .now: break
            case .after(let delay): await wake.wait(timeout: delay)
            }
            again = true
        }
    }

    /// Asks ``SupervisionPolicy`` what follows a run, records the new state and reports it.
    private func decide(_ ended: RunEnd, ranFor: Duration?) -> NextStart {
        let policy = manifest.restart
        let settings = context.configuration.supervisor
        let decision = guarded.withLock { guarded in
            let decision = SupervisionPolicy.afterRun(
                guarded.supervision, ended: ended, ranFor: ranFor, policy: policy, settings: settings,
                stopping: guarded.stopping, restartRequested: guarded.restartRequested, module: name,
                random: Double.random(in: 0..<1))
            guarded.supervision = decision.state
            if case .after(let delay) = decision.next { guarded.nextStartAt = Date().addingTimeInterval(delay.inSeconds) }
            return decision
        }
        if let report = decision.report { note(report.level, report.message) }
        return decision.next
    }

    /// Loads the code and runs it once.
    /// - Returns: how the run ended, and how long guest code ran (nil if it never began: loading,
    ///   which may mean fetching by CID, is not running and must not look healthy).
    private func runOnce() async -> (RunEnd, ranFor: Duration?) {
        var run: RunConfiguration
        do {
            run = try await codeConfiguration()
        } catch let error as SandboxError {
            return (.failed(RunFailure(error)), nil)
        } catch let error as JavaScriptEngineError {
            // Not the module's fault, and fixed by installing the engine: retried with backoff.
            return (.failed(.error("\(error)")), nil)
        } catch {
            return (.failed(.error("cannot get the module's code: \(error)")), nil)
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
            if manifest.grants.files {
                run.directories.append(DirectoryGrant(hostPath: context.layout.dataFolder(name).path, guestPath: "/data"))
            }
            run.stdin = .none
            run.stdout = output
            run.stderr = output
            run.limits = limits()
            if case .javascript = source {
                JavaScriptModule.apply(run.limits, stackAsked: manifest.limits.stackBytes != nil, to: &run)
            }
            run.engine = context.engine
            run.stoppable = true
            run.hostFunctions = StationABI.hostFunctions(operations)
            let meter = self.meter
            run.hostFunctionWrapper = { meter.wrap($0) }
            runner = ModuleRunner(configuration: run)
            operations.attach(governor: runner.governor)
        } catch {
            return (.failed(.error("cannot prepare the module: \(error)")), nil)
        }

        let cancelled: Bool = guarded.withLock { guarded in
            if guarded.stopping || guarded.restartRequested { return true }
            guarded.runner = runner
            guarded.supervision.phase = .running
            guarded.supervision.reason = nil
            guarded.runningSince = Date()
            guarded.cpuSample = nil
            return false
        }
        if cancelled {
            operations.close()
            return (.interrupted, nil)
        }
        meter.beginRun()
        let started = ContinuousClock.now
        let outcome = await runner.run()
        let ranFor = ContinuousClock.now - started
        operations.close()
        meter.noteMemory(outcome.memoryBytes)
        let (wasHung, wasStopping, wasRestart) = guarded.withLock { guarded in
            guarded.runner = nil
            guarded.runningSince = nil
            if !outcome.engine.isEmpty { guarded.engineName = outcome.engine }
            guarded.pastCPU += outcome.cpuTime
            guarded.cpuPercent = 0
            return (guarded.hung, guarded.stopping, guarded.restartRequested)
        }
        if wasStopping || wasRestart { return (.interrupted, ranFor) }
        if wasHung { return (.failed(.hung(after: hangAfter)), ranFor) }
        if let error = outcome.error { return (.failed(RunFailure(error)), ranFor) }
        if outcome.exitStatus != 0 { return (.failed(.exitStatus(outcome.exitStatus)), ranFor) }
        return (.exited, ranFor)
    }

    /// The code to run with its arguments and environment: a WebAssembly module (from a file or
    /// a CID), or the JavaScript engine module with the script's folder as its root.
    private func codeConfiguration() async throws -> RunConfiguration {
        let environment = manifest.environment.map { ($0.name, $0.value) }
        if case .javascript(let entry) = source {
            let script = try JavaScriptModule(entry: entry)
            let engine = try JavaScriptEngine.locate()
            return script.runConfiguration(
                engine: engine, arguments: manifest.arguments, environment: environment, bytecodeCache: context.layout.cache.path)
        }
        let loaded = try await context.code.load(source, name: name)
        warnAboutMissingGrants(loaded)
        var run = RunConfiguration(module: loaded)
        run.arguments = manifest.arguments
        run.environment = environment
        return run
    }

    private func limits() -> Limits { resolvedLimits.engine }

    private func stationConfiguration() throws -> StationModuleConfiguration {
        var configuration = StationModuleConfiguration(identity: .fromEnvironment(moduleName: name))
        configuration.networkPolicy = try NetworkPolicy(allowing: manifest.grants.net)
        resolvedLimits.apply(to: &configuration)
        if manifest.grants.kv {
            configuration.keyValuePath = context.layout.keyValueFile(name).path
        }
        configuration.p2p = P2PGrants(protocols: manifest.grants.p2p, allowPrivateAddresses: manifest.grants.p2pLocal)
        configuration.ipfs = manifest.grants.ipfs
        return configuration
    }

    // MARK: Watchdog

    /// Called about once a second by the daemon: samples CPU, notes throttling, stops a hung run.
    func tick() {
        let now = ContinuousClock.now
        let (throttledNote, hungRunner): (String?, ModuleRunner?) = guarded.withLock { guarded in
            guard let runner = guarded.runner, guarded.supervision.phase == .running else { return (nil, nil) }
            var throttledNote: String?
            var hungRunner: ModuleRunner?
            if let live = runner.cpuTimeSoFar() {
                if let sample = guarded.cpuSample, now > sample.wall {
                    guarded.cpuPercent = (live - sample.cpu).inSeconds / (now - sample.wall).inSeconds * 100
                }
                guarded.cpuSample = (now, live)
            }
            if !guarded.throttleReported, runner.governor.throttledTime > .milliseconds(500), let share = runner.configuration.limits.cpuShare {
                guarded.throttleReported = true
                throttledNote = "throttled: held to \(Self.percent(share * 100)) of one core (limit: cpu)"
            }
            if !guarded.hung, let limit = hangAfter, let idle = meter.timeSinceHostCall(), idle >= limit {
                guarded.hung = true
                hungRunner = runner
            }
            return (throttledNote, hungRunner)
        }
        if let throttledNote { note(.info, throttledNote) }
        if let hungRunner {
            hungRunner.stop(.runtime("hung"))
        }
    }

    // MARK: Status

    func snapshot(storageBytes: UInt64) -> ModuleSnapshot {
        let sourceText = source.description
        return guarded.withLock { guarded in
            let supervision = guarded.supervision
            return ModuleSnapshot(
                name: name, version: guarded.sourceOverride == nil ? manifest.version : "\(manifest.version)+update",
                source: sourceText, state: supervision.phase, reason: supervision.reason, restarts: supervision.restarts,
                consecutiveFailures: supervision.consecutiveFailures,
                nextStartAt: supervision.phase == .backoff ? guarded.nextStartAt : nil,
                runningSince: guarded.runningSince, engine: guarded.engineName, jobs: context.jobs.count(for: name),
                cpuSeconds: (guarded.pastCPU + (guarded.runner?.cpuTimeSoFar() ?? .zero)).inSeconds, cpuPercent: guarded.cpuPercent,
                cpuLimitPercent: effective.cpuPercent, memoryBytes: UInt64(max(0, meter.memoryBytes)),
                memoryLimitBytes: effective.memoryBytes, storageBytes: storageBytes,
                storageLimitBytes: effective.dataFolderBytes,
                networkBytesIn: meter.bytesReceived, networkBytesOut: meter.bytesSent,
                lastActivity: context.events.lastActivity(of: name))
        }
    }

    var currentState: ModuleState { guarded.withLock { $0.supervision.phase } }

    // MARK: Helpers

    /// Says once per code version which station imports will fail with `denied` because the
    /// manifest does not grant them: the module still runs (it may use them only when
    /// configured to), but its author learns why at load, not from a failed call.
    private func warnAboutMissingGrants(_ loaded: LoadedModule) {
        let digest = loaded.sha256
        guard grantsCheckedFor.withLock({ checked in
            defer { checked = digest }
            return checked != digest
        }) else { return }
        guard let info = try? ModuleInfo(wasm: loaded.wasm) else { return }
        for (grant, imports) in StationImports.missingGrants(imports: info.imports, granted: manifest.grants.stationGrants) {
            note(.error, "imports \(imports.map { "station.\($0)" }.joined(separator: ", ")) without the grant they need, so those calls will fail with denied; grant \(grant.explanation)")
        }
    }

    private func note(_ level: ActivityLevel, _ message: String) {
        context.events.emit(.activity(module: name, level: level, message: message))
    }

    static func percent(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value))%" : String(format: "%.1f%%", value)
    }
}

extension ModuleGrants {
    /// The station ABI grants this manifest gives.
    var stationGrants: Set<StationImport.Grant> {
        var grants: Set<StationImport.Grant> = []
        if !net.isEmpty { grants.insert(.net) }
        if !p2p.isEmpty { grants.insert(.p2p) }
        if ipfs { grants.insert(.ipfs) }
        if kv { grants.insert(.kv) }
        return grants
    }
}
