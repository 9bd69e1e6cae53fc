import Foundation
import SandboxEngine
import StationHost
import Synchronization

/// Watches the calls a module makes to the host, for the supervisor and the status API: whether
/// it is inside a host call, when it last returned from one (to tell a hung module from one
/// waiting in `poll`), its linear memory size, and the bytes it read and wrote through station
/// handles (HTTP, p2p streams, IPFS content).
///
/// It wraps the host functions; the cost is two atomic stores and a memory-size read per call.
public final class HostCallMeter: Sendable {
    private let depth = Atomic<Int>(0)
    private let lastReturn = Atomic<Int64>(0)
    private let memory = Atomic<Int>(0)
    private let received = Atomic<UInt64>(0)
    private let sent = Atomic<UInt64>(0)
    private let calls = Atomic<UInt64>(0)

    public init() {
        lastReturn.store(Self.monotonicNanos(), ordering: .relaxed)
    }

    /// Starts a new run: the hang clock starts now.
    public func beginRun() {
        depth.store(0, ordering: .relaxed)
        lastReturn.store(Self.monotonicNanos(), ordering: .relaxed)
    }

    /// Wraps `functions` so that every call is metered.
    public func wrap(_ functions: [HostFunction]) -> [HostFunction] {
        functions.map { function in
            let counter = Self.counter(for: function)
            let body = function.body
            return HostFunction(module: function.module, name: function.name, parameters: function.signature.parameters, results: function.signature.results) { [self] call, arguments in
                depth.add(1, ordering: .relaxed)
                calls.add(1, ordering: .relaxed)
                defer {
                    depth.subtract(1, ordering: .relaxed)
                    lastReturn.store(Self.monotonicNanos(), ordering: .relaxed)
                }
                if let size = try? call.withMemory({ $0.size }) { memory.store(size, ordering: .relaxed) }
                let results = try body(call, arguments)
                counter(self, arguments, results)
                return results
            }
        }
    }

    /// Guest code has run without calling the host for this long (nil while inside a host call).
    public func timeSinceHostCall() -> Duration? {
        guard depth.load(ordering: .relaxed) == 0 else { return nil }
        return .nanoseconds(Self.monotonicNanos() - lastReturn.load(ordering: .relaxed))
    }

    /// Linear memory size seen at the newest host call.
    public var memoryBytes: Int { memory.load(ordering: .relaxed) }
    /// Sets the memory size (from the run's outcome).
    public func noteMemory(_ bytes: Int) { memory.store(bytes, ordering: .relaxed) }
    /// Bytes the module read through station handles.
    public var bytesReceived: UInt64 { received.load(ordering: .relaxed) }
    /// Bytes the module wrote to streams and sent as request bodies.
    public var bytesSent: UInt64 { sent.load(ordering: .relaxed) }
    /// Host calls so far.
    public var callCount: UInt64 { calls.load(ordering: .relaxed) }

    /// Counts the bytes ``StationImports`` says the call moved.
    private static func counter(for function: HostFunction) -> @Sendable (HostCallMeter, [WasmValue], [WasmValue]) -> Void {
        guard function.module == StationImports.moduleName, let description = StationImports.named(function.name) else { return { _, _, _ in } }
        @Sendable func success(_ results: [WasmValue]) -> UInt64? {
            guard case .i32(let value)? = results.first, Int32(bitPattern: value) >= 0 else { return nil }
            return UInt64(value)
        }
        switch description.byteCount {
        case .resultReceived:
            return { meter, _, results in
                if let count = success(results), count > 0 { meter.received.add(count, ordering: .relaxed) }
            }
        case .resultSent:
            return { meter, _, results in
                if let count = success(results), count > 0 { meter.sent.add(count, ordering: .relaxed) }
            }
        case .parameterSent(let name):
            guard let index = description.parameters.firstIndex(where: { $0.name == name }) else { return { _, _, _ in } }
            return { meter, arguments, results in
                guard success(results) != nil, index < arguments.count, case .i32(let length) = arguments[index] else { return }
                meter.sent.add(UInt64(length), ordering: .relaxed)
            }
        case nil:
            return { _, _, _ in }
        }
    }

    static func monotonicNanos() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
