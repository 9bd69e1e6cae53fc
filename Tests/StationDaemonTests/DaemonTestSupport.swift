import Foundation
import StationConfig
import StationDaemon
import StationHost
import StationStatus
import Testing

/// WAT modules the daemon tests run (real modules, both engines' embedded WasmKit by default).
enum TestModules {
    static let imports = """
          (import "station" "job_completed" (func $job (result i32)))
          (import "station" "activity" (func $activity (param i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          ;; Sleeps $ms milliseconds: one clock subscription at 1024, its event at 1088.
          (func $sleep (param $ms i64)
            (memory.fill (i32.const 1024) (i32.const 0) (i32.const 48))
            (i32.store (i32.const 1040) (i32.const 1))
            (i64.store (i32.const 1048) (i64.mul (local.get $ms) (i64.const 1000000)))
            (drop (call $poll_oneoff (i32.const 1024) (i32.const 1088) (i32.const 1) (i32.const 1120))))
        """

    /// Reports `working` and one job every `intervalMs`, forever.
    static func worker(intervalMs: Int = 50, message: String = "working") -> String {
        """
        (module
          \(imports)
          (data (i32.const 0) "\(message)")
          (func (export "_start")
            (loop $forever
              (drop (call $activity (i32.const 0) (i32.const 0) (i32.const \(message.utf8.count))))
              (drop (call $job))
              (call $sleep (i64.const \(intervalMs)))
              (br $forever))))
        """
    }

    /// Completes `count` jobs, then returns (a clean exit).
    static func finisher(jobs count: Int) -> String {
        """
        (module
          \(imports)
          (func (export "_start") (local $i i32)
            (loop $next
              (drop (call $job))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $next (i32.lt_u (local.get $i) (i32.const \(count)))))))
        """
    }

    /// Traps at once.
    static let trap = "(module (func (export \"_start\") unreachable))"

    /// Spins forever without calling the host.
    static let spin = "(module (func (export \"_start\") (loop $l (br $l))))"

    /// Grows memory until refused, then traps.
    static let grow = """
        (module
          (memory 1)
          (func (export "_start")
            (loop $more
              (br_if $more (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))
            unreachable))
        """

    /// Not WebAssembly at all.
    static let garbage = "this is not a module"
}

/// A daemon on temporary folders, with its events collected.
final class TestDaemon {
    let root: URL
    let events = CollectingEventSink()
    var configuration: DaemonConfiguration
    private(set) var daemon: StationDaemon?

    init(supervisor: SupervisorSettings? = nil) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("station-daemon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        configuration = DaemonConfiguration(
            file: root.appendingPathComponent("station.toml").path,
            stateDirectory: root.appendingPathComponent("state").path,
            cacheDirectory: root.appendingPathComponent("cache").path)
        configuration.engine = "wasmkit"
        var settings = supervisor ?? SupervisorSettings()
        if supervisor == nil {
            settings.initialBackoff = .milliseconds(50)
            settings.maxBackoff = .milliseconds(200)
            settings.maxFailures = 3
            settings.stopDeadline = .seconds(5)
        }
        configuration.supervisor = settings
    }

    /// Adds a module whose code is `wat`; returns its manifest for further changes.
    @discardableResult
    func addModule(_ name: String, wat: String, configure: (inout ModuleManifest) -> Void = { _ in }) throws -> ModuleManifest {
        let file = root.appendingPathComponent("\(name).wat")
        try wat.write(to: file, atomically: true, encoding: .utf8)
        var manifest = ModuleManifest(file: root.appendingPathComponent("\(name).toml").path, name: name, version: "1.0.0", source: .file(file.path))
        manifest.limits.cpuPercent = 100
        configure(&manifest)
        configuration.modules.append(manifest)
        return manifest
    }

    func start(statusPort: Int? = nil, statusDisabled: Bool = true) async throws -> StationDaemon {
        var options = StationDaemon.Options(output: events, version: "test")
        options.statusDisabled = statusDisabled
        options.statusPort = statusPort
        let daemon = StationDaemon(configuration: configuration, options: options)
        self.daemon = daemon
        try await daemon.start()
        return daemon
    }

    func stop() async {
        await daemon?.stop()
    }

    /// Activity messages of `module`.
    func messages(of module: String) -> [String] {
        events.events.compactMap { event in
            if case .activity(let name, _, let message) = event, name == module { return message }
            return nil
        }
    }

    /// The newest job totals event.
    var latestJobTotals: [String: UInt64]? {
        for event in events.events.reversed() {
            if case .jobsCompleted(_, let modules) = event { return modules }
        }
        return nil
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }
}

/// Waits until `condition` holds; fails the test after `limit` (a hang guard, not a timing check).
func eventually(_ what: String, limit: Duration = .seconds(60), _ condition: () async -> Bool) async throws {
    let end = ContinuousClock.now + limit
    while ContinuousClock.now < end {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out waiting for: \(what)")
    throw CancellationError()
}

extension StationDaemon {
    func module(_ name: String) async -> ModuleSnapshot? {
        await snapshot().modules.first { $0.name == name }
    }
}
