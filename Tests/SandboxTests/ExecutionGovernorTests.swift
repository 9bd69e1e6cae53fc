import Foundation
import SandboxEngine
import Synchronization
import Testing

/// A CPU clock that advances a fixed amount per reading, like a thread that computes flat out
/// between checkpoints, whatever the machine's load.
final class SimulatedCPUClock: Sendable {
    private let used = Mutex<Duration>(.zero)
    let step: Duration

    init(step: Duration) { self.step = step }

    func read() -> Duration {
        used.withLock { value in
            value += step
            return value
        }
    }
}

@Suite("Execution governor")
struct ExecutionGovernorTests {
    @Test("a stop request ends a long sleep at once and runs the stop handlers")
    func stopEndsSleep() async throws {
        let governor = ExecutionGovernor()
        let handled = Atomic<Int>(0)
        governor.onStop { handled.add(1, ordering: .relaxed) }
        let sleeper = Task.detached { governor.sleep(for: .seconds(600)) }
        try await Task.sleep(for: .milliseconds(50))
        governor.requestStop(.runtime("test"))
        governor.requestStop(.runtime("again"))
        // Without the wake-up this would wait ten minutes (the test's hang guard would end it).
        #expect(await sleeper.value == false)
        let handledCount = handled.load(ordering: .relaxed)
        #expect(handledCount == 1)
        #expect(governor.sleep(for: .seconds(600)) == false)
        // A handler added after the stop runs at once.
        let late = Atomic<Bool>(false)
        governor.onStop { late.store(true, ordering: .relaxed) }
        let ranLate = late.load(ordering: .relaxed)
        #expect(ranLate)
    }

    @Test("an uninterrupted sleep reports that it slept the whole time; a deadline cuts it short")
    func sleepCompletes() {
        #expect(ExecutionGovernor().sleep(for: .milliseconds(5)) == true)
        #expect(ExecutionGovernor(timeout: .milliseconds(5)).sleep(for: .seconds(600)) == false)
    }

    @Test("a thread over its CPU share is paused")
    func throttles() throws {
        let clock = SimulatedCPUClock(step: .milliseconds(10))
        let governor = ExecutionGovernor(cpuShare: 0.25, cpuClock: { clock.read() })
        for _ in 0..<5 { try governor.checkpoint() }
        // 40 ms of CPU at a 25% share needs 160 ms of wall time: most of it spent paused.
        #expect(governor.throttledTime >= .milliseconds(100), "paused only \(governor.throttledTime)")
        #expect(governor.checkpointCount == 5)
    }

    @Test("no share means no pause")
    func noShare() throws {
        let clock = SimulatedCPUClock(step: .milliseconds(10))
        let governor = ExecutionGovernor(cpuShare: nil, cpuClock: { clock.read() })
        for _ in 0..<5 { try governor.checkpoint() }
        #expect(governor.throttledTime == .zero)
    }

    @Test("the deadline ends the run with a timeout error")
    func deadline() throws {
        let governor = ExecutionGovernor(timeout: .milliseconds(1))
        Thread.sleep(forTimeInterval: 0.01)
        #expect(governor.isStopRequested)
        #expect(throws: SandboxError.self) { try governor.checkpoint() }
        guard case .limitExceeded(.timeout, _) = governor.pendingStop() else {
            Issue.record("expected a timeout, got \(String(describing: governor.pendingStop()))")
            return
        }
    }

    @Test("a stop request keeps the first reason")
    func stopReason() {
        let governor = ExecutionGovernor()
        #expect(governor.pendingStop() == nil)
        governor.requestStop(.runtime("first"))
        governor.requestStop(.runtime("second"))
        guard case .runtime(let message) = governor.pendingStop() else {
            Issue.record("no stop recorded")
            return
        }
        #expect(message == "first")
    }

    @Test("a denial is remembered for the report")
    func denial() {
        let governor = ExecutionGovernor()
        governor.noteDenial(.memory, detail: "memory limit of 1 MiB")
        #expect(governor.lastDenial?.kind == .memory)
    }
}
