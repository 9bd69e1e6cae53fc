import Foundation
import IPFS
import Sandbox
import SandboxEngine
import StationHost
import Synchronization

extension Harness {
    /// The station ABI as a hostile guest drives it: the input becomes a real WebAssembly module
    /// that imports every function of ``StationImports/all`` (names and types from that table)
    /// and one memory, and whose `_start` makes a sequence of calls with arguments chosen by the
    /// input (biased towards 0, offsets of useful strings, memory-size edges, -1, huge values and
    /// the previous call's result). It runs through ``ModuleRunner`` with
    /// ``StationABI/hostFunctions(_:)`` as `station run` does, under small limits, with HTTP
    /// denied, a key-value store in a temp file and IPFS over a temp block store.
    ///
    /// Input: byte 0 picks the engine (odd: Wasmtime when its library is installed), byte 1 is a
    /// length L, the next L bytes are a data segment at address 0, and the rest is the calls
    /// (one byte picks the function, then each argument is a selector byte plus its operands;
    /// see ``StationABIProgram``). Invariants:
    /// - the run ends with a clear outcome: success, `proc_exit`, a trap or a limit (never a
    ///   link, load or host runtime error for this well-formed module);
    /// - no more handles are open than the configured cap, and none after `close`;
    /// - the key-value file, reopened (which recounts its usage), holds no more than its quota;
    /// - the block store keeps the module within its quota and the store within its capacity;
    ///   once the module's pins are removed, nothing stays charged to it, and a collection leaves
    ///   the store empty (no block held past the run).
    public static func stationABI(_ bytes: [UInt8]) async throws {
        _ = try await stationABIRun(bytes)
    }

    /// ``stationABI(_:)``, returning what the run did (for the tests that check the harness
    /// really reaches the host: a guest whose calls all failed early would check nothing).
    public static func stationABIRun(_ bytes: [UInt8]) async throws -> StationABIReport {
        // One run at a time: the fixture's store and key-value path are shared across inputs
        // (libFuzzer calls one at a time; swift-testing may run the corpus and the report tests
        // in parallel).
        await StationABIFixture.gate.enter()
        defer { StationABIFixture.gate.leave() }
        var report = StationABIReport()
        let fixture = StationABIFixture.shared
        let program = StationABIProgram(bytes, strings: fixture.strings)
        let engine: EngineChoice = program.wantsWasmtime && fixture.wasmtimeAvailable ? .wasmtime : .wasmkit

        var configuration = StationModuleConfiguration(
            identity: StationIdentity(moduleName: StationABIFixture.moduleName, stationID: "fuzz-station", walletAddress: "f1fuzz"))
        configuration.maxHandles = StationABIFixture.maxHandles
        configuration.keyValuePath = fixture.keyValuePath
        configuration.keyValueLimits = StationABIFixture.keyValueLimits
        configuration.ipfs = true
        configuration.activityBurst = 4
        let operations = StationOperations(
            configuration: configuration, events: fixture.events, jobs: fixture.jobs, p2pNode: nil, content: fixture.content)
        defer { fixture.reset() }

        var run = RunConfiguration(module: LoadedModule(name: StationABIFixture.moduleName, wasm: program.module.encode()))
        run.engine = engine
        run.entryPoint = .command
        run.limits = StationABIFixture.limits
        run.hostFunctions = StationABI.hostFunctions(operations)
        let runner = ModuleRunner(configuration: run)
        operations.attach(governor: runner.governor)
        let outcome = await runner.run()
        report.engine = outcome.engine
        report.error = outcome.error
        report.handlesBeforeClose = operations.handles.count

        if let error = outcome.error {
            switch error {
            case .trap, .limitExceeded:
                break
            default:
                try fuzzCheck(false, "the run on \(engine) ended with \(error) instead of a trap, an exit or a limit")
            }
        }
        try fuzzCheck(operations.handles.count <= StationABIFixture.maxHandles,
                      "\(operations.handles.count) handles open, cap \(StationABIFixture.maxHandles)")
        operations.close()
        try fuzzCheck(operations.handles.count == 0, "\(operations.handles.count) handles left after close")

        if FileManager.default.fileExists(atPath: fixture.keyValuePath) {
            do {
                let store = try KeyValueStore(path: fixture.keyValuePath, limits: StationABIFixture.keyValueLimits)
                defer { store.close() }
                report.keyValueBytes = store.usedBytes
                try fuzzCheck(store.usedBytes <= StationABIFixture.keyValueLimits.quotaBytes,
                              "the key-value store holds \(store.usedBytes) bytes, quota \(StationABIFixture.keyValueLimits.quotaBytes)")
            } catch let error as StationError {
                try fuzzCheck(false, "the key-value store the run wrote does not open again: \(error.message)")
            }
        }

        let store = fixture.store
        let module = StationABIFixture.moduleName
        report.ipfsBytes = store.usage(module: module)
        try fuzzCheck(store.usage(module: module) <= store.quota(of: module),
                      "the module uses \(store.usage(module: module)) bytes of IPFS, quota \(store.quota(of: module))")
        try fuzzCheck(store.storedSize <= StationABIFixture.storeCapacity,
                      "the block store holds \(store.storedSize) bytes, capacity \(StationABIFixture.storeCapacity)")
        for root in store.pins(module: module) {
            try? store.unpin(root, module: module)
        }
        // A read still running when its handle closed gives its hold back from its own task, a
        // moment after close returns: wait (bounded) for that, then check nothing stays charged.
        var waits = 0
        while store.usage(module: module) != 0, waits < 2000 {
            try? await Task.sleep(for: .milliseconds(1))
            waits += 1
        }
        try fuzzCheck(store.usage(module: module) == 0,
                      "\(store.usage(module: module)) bytes stay charged to the module after its run and its pins are gone")
        _ = try? store.collectGarbage()
        try fuzzCheck(store.storedSize == 0, "\(store.storedSize) bytes in \(store.blockCount) blocks survive a collection with nothing pinned")
        return report
    }
}

/// What one StationABI run did.
public struct StationABIReport: Sendable {
    /// The engine that ran the guest (e.g. `wasmkit 0.4.2`).
    public var engine = ""
    /// Why the run stopped early (a trap or a limit), nil when `_start` returned.
    public var error: SandboxError?
    /// Handles open when the guest ended, before `close`.
    public var handlesBeforeClose = 0
    /// Bytes in the key-value store after the run (nil: the guest never opened it).
    public var keyValueBytes: UInt64?
    /// IPFS bytes charged to the module after the run, before its pins are removed.
    public var ipfsBytes: Int64 = 0
}

/// What the StationABI harness keeps across inputs: the engines (cached by `EngineFactory`), a
/// block store emptied after every run, a key-value path deleted after every run, and the strings
/// every guest finds at ``stringsAddress``.
final class StationABIFixture: Sendable {
    static let moduleName = "fuzz-abi"
    static let maxHandles = 8
    static let storeCapacity: Int64 = 64 << 10
    static let moduleQuota: Int64 = 16 << 10
    static let keyValueLimits: KeyValueStore.Limits = {
        var limits = KeyValueStore.Limits()
        limits.quotaBytes = 2048
        limits.maxKeyBytes = 64
        limits.maxValueBytes = 1024
        limits.maxListBatch = 16
        return limits
    }()
    /// Small limits: 2 pages of memory, little fuel, a 300 ms deadline (a `poll` or `ipfs_get`
    /// with a long timeout ends there; it also covers loading, which takes tens of milliseconds
    /// in a debug build on a busy machine), 64 KiB of stack.
    static let limits = Limits(
        memoryBytes: 2 << 16, tableElements: 16, fuel: 200_000, timeout: .milliseconds(300), stackBytes: 64 << 10,
        storageBytes: 1 << 16, openFiles: 8, loadTime: .seconds(10))

    static let shared = StationABIFixture()
    static let gate = SerialGate()

    let folder: URL
    let keyValuePath: String
    let store: BlockStore
    let content: SharedContent
    let events = DiscardingEventSink()
    let jobs: JobLedger
    let wasmtimeAvailable: Bool
    /// The strings placed in every guest's memory.
    let strings: [[UInt8]]

    private init() {
        folder = fuzzTemporaryFolder("abi")
        keyValuePath = folder.appendingPathComponent("kv.sqlite").path
        do {
            store = try BlockStore(.init(
                directory: folder.appendingPathComponent("blocks"), capacity: Self.storeCapacity,
                moduleQuotas: [Self.moduleName: Self.moduleQuota], maxBlockSize: 8 << 10, durable: false))
        } catch {
            fatalError("the StationABI harness cannot create its block store in \(folder.path): \(error)")
        }
        content = SharedContent(store: store)
        jobs = JobLedger(sink: events)
        // Wasmtime caches compiled modules on disk; give the shared engine a private cache folder
        // (emptied after each run) so that fuzzing does not fill the user's cache. The engine
        // cache is keyed by settings, so the runner gets this same engine.
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_CACHE_HOME"] = folder.appendingPathComponent("cache").path
        wasmtimeAvailable = (try? EngineFactory.engine(
            .wasmtime, settings: EngineSettings(limits: Self.limits), environment: environment)) != nil

        let hello = Array("hello".utf8)
        let cid = Block(data: hello, codec: .raw, version: 1).cid.description
        strings = [
            Array(cid.utf8), Array("/ipfs/\(cid)".utf8), hello, Array("GET".utf8), Array("http://127.0.0.1:9/x".utf8),
            Array("key".utf8), Array("Accept: */*\r\nX-A: b\r\n".utf8), Array("/ipfs/\(cid)/a/b".utf8),
            Array("bafkqaaa".utf8), Array("/ipfs/bafkqaaa".utf8), Array("/echo/1.0.0".utf8), Array("raw".utf8),
            Array("car".utf8), Array("k".utf8), Array("/ip4/127.0.0.1/tcp/9".utf8), Array("Qm".utf8),
        ]
    }

    /// Deletes what a run left: the key-value files and the Wasmtime cache.
    func reset() {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            try? FileManager.default.removeItem(atPath: keyValuePath + suffix)
        }
        try? FileManager.default.removeItem(at: folder.appendingPathComponent("cache"))
    }
}

/// Lets one task at a time through, in arrival order (a lock that can be held across `await`).
final class SerialGate: Sendable {
    private let state = Mutex<(busy: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func enter() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let admitted = state.withLock { state -> Bool in
                if state.busy {
                    state.waiting.append(continuation)
                    return false
                }
                state.busy = true
                return true
            }
            if admitted { continuation.resume() }
        }
    }

    func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiting.isEmpty {
                state.busy = false
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}

/// Events go nowhere (the harness checks the host's state, not its log).
final class DiscardingEventSink: StationEventSink {
    func emit(_ event: StationEvent) {}
}

/// The guest a StationABI input describes (see ``Harness/stationABI(_:)``).
struct StationABIProgram {
    /// Where the fixed strings start in guest memory (after the input's own data).
    static let stringsAddress: Int32 = 1024
    /// Most calls one input makes.
    static let maxCalls = 48

    var module = WasmEncoder()
    var wantsWasmtime = false

    init(_ bytes: [UInt8], strings: [[UInt8]]) {
        var reader = FuzzByteReader(bytes)
        wantsWasmtime = reader.next() & 1 == 1
        let dataLength = Int(reader.next())
        let data = reader.take(dataLength)

        var offsets: [Int32] = []
        var stringBytes: [UInt8] = []
        for string in strings {
            offsets.append(Self.stringsAddress + Int32(stringBytes.count))
            stringBytes += string
        }
        module.memoryPages = (1, 2)
        module.data = [WasmEncoder.Data(offset: 0, bytes: data), WasmEncoder.Data(offset: Self.stringsAddress, bytes: stringBytes)]
        module.imports = StationImports.all.map { function in
            WasmEncoder.Import(
                module: StationImports.moduleName, name: function.name,
                parameters: function.parameters.map { $0.type == .i64 ? .i64 : .i32 }, results: [.i32])
        }
        // Local 0 holds the last call's result, so handles flow from one call to the next.
        module.startLocals = 1
        var code: [UInt8] = []
        var calls = 0
        while !reader.isAtEnd, calls < Self.maxCalls {
            let index = Int(reader.next()) % StationImports.all.count
            for parameter in StationImports.all[index].parameters {
                if parameter.type == .i64 {
                    Self.i64Argument(&reader, into: &code)
                } else {
                    Self.i32Argument(&reader, offsets: offsets, strings: strings, dataLength: dataLength, into: &code)
                }
            }
            WasmEncoder.call(UInt32(index), into: &code)
            WasmEncoder.localSet(0, into: &code)
            calls += 1
        }
        module.startCode = code
    }

    private static func i32Argument(
        _ reader: inout FuzzByteReader, offsets: [Int32], strings: [[UInt8]], dataLength: Int, into code: inout [UInt8]
    ) {
        let selector = reader.next()
        let value: Int32
        switch selector % 16 {
        case 0: value = 0
        case 1: value = Int32(reader.next())
        case 2: value = offsets[Int(reader.next()) % offsets.count]
        case 3: value = -1
        case 4: value = 65_536
        case 5: value = 65_535
        case 6: value = 65_536 - Int32(reader.next())
        case 7: value = .max
        case 8: value = .min
        case 9:
            WasmEncoder.localGet(0, into: &code)
            return
        case 10: value = Int32(bitPattern: reader.uint32())
        case 11: value = Int32(dataLength)
        case 12: value = 1 + Int32(reader.next() % 8)
        case 13: value = 2048 + Int32(reader.next()) * 64
        case 14: value = Int32(bitPattern: UInt32(reader.next()) << 24)
        default: value = Int32(strings[Int(reader.next()) % strings.count].count)
        }
        WasmEncoder.i32Const(value, into: &code)
    }

    private static func i64Argument(_ reader: inout FuzzByteReader, into code: inout [UInt8]) {
        let selector = reader.next()
        let value: Int64
        switch selector % 8 {
        case 0: value = 0
        case 1: value = Int64(reader.next())
        case 2: value = -1
        case 3: value = .max
        case 4: value = .min
        case 5: value = Int64(reader.next()) * 1000
        case 6: value = Int64(bitPattern: UInt64(reader.uint32()) << 32 | UInt64(reader.uint32()))
        default:
            WasmEncoder.localGet(0, into: &code)
            WasmEncoder.extendSigned(into: &code)
            return
        }
        WasmEncoder.i64Const(value, into: &code)
    }
}

/// Reads fuzz input a byte at a time; past the end every read is 0.
struct FuzzByteReader {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { index >= bytes.count }

    mutating func next() -> UInt8 {
        guard index < bytes.count else { return 0 }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func take(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, index + count)
        defer { index = end }
        return Array(bytes[min(index, end)..<end])
    }

    mutating func uint32() -> UInt32 {
        (0..<4).reduce(UInt32(0)) { value, shift in value | UInt32(next()) << (8 * UInt32(shift)) }
    }
}
