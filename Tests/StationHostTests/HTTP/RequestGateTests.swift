import Testing
@testable import StationHost

@Suite struct RequestGateTests {
    @Test func admitsUpToTheLimitThenQueues() async throws {
        let gate = RequestGate(limit: 2)
        try await gate.acquire()
        try await gate.acquire()
        #expect(gate.inFlight == 2)
        let third = Task { try await gate.acquire() }
        try await Task.sleep(for: .milliseconds(50))
        #expect(gate.inFlight == 2)
        gate.release()
        try await third.value
        #expect(gate.inFlight == 2)
        gate.release()
        gate.release()
        #expect(gate.inFlight == 0)
    }

    @Test func cancelledWaiterLeavesTheQueue() async throws {
        let gate = RequestGate(limit: 1)
        try await gate.acquire()
        let waiter = Task { try await gate.acquire() }
        try await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        gate.release()
        #expect(gate.inFlight == 0)
        try await gate.acquire()
        #expect(gate.inFlight == 1)
    }
}
