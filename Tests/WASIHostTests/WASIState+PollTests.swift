import SandboxEngine
import Testing
@testable import WASIHost

@Suite struct WASIStatePollTests {
    /// Writes a clock subscription at `address`.
    private func clockSubscription(_ harness: WASIHarness, at address: UInt32, userdata: UInt64, nanoseconds: UInt64) throws {
        try harness.store([UInt8](repeating: 0, count: 48), at: address)
        try harness.memory.view.store(userdata, at: address)
        try harness.memory.view.store(WASIABI.EventType.clock, at: address + 8)
        try harness.memory.view.store(WASIABI.ClockID.monotonic, at: address + 16)
        try harness.memory.view.store(nanoseconds, at: address + 24)
    }

    private func fdSubscription(_ harness: WASIHarness, at address: UInt32, userdata: UInt64, fd: UInt32, type: UInt8) throws {
        try harness.store([UInt8](repeating: 0, count: 48), at: address)
        try harness.memory.view.store(userdata, at: address)
        try harness.memory.view.store(type, at: address + 8)
        try harness.memory.view.store(fd, at: address + 16)
    }

    @Test func aClockSubscriptionSleepsThenFires() throws {
        let harness = try WASIHarness(WASIConfiguration())
        try clockSubscription(harness, at: 3000, userdata: 42, nanoseconds: 20_000_000)
        let start = ContinuousClock.now
        #expect(try harness.call("poll_oneoff", [.i32(3000), .i32(4000), .i32(1), .i32(600)]) == .success)
        #expect(ContinuousClock.now - start >= .milliseconds(20))
        #expect(try harness.u32(at: 600) == 1)
        #expect(try harness.u64(at: 4000) == 42)
        #expect(try harness.memory.view.load(UInt16.self, at: 4008) == 0)
        #expect(try harness.u8(at: 4010) == WASIABI.EventType.clock)
    }

    @Test func readyDescriptorsWinOverALongSleep() throws {
        let harness = try WASIHarness(WASIConfiguration(stdin: .bytes([1, 2, 3])))
        try clockSubscription(harness, at: 3000, userdata: 1, nanoseconds: 3_600_000_000_000)
        try fdSubscription(harness, at: 3048, userdata: 2, fd: 0, type: WASIABI.EventType.fdRead)
        try fdSubscription(harness, at: 3096, userdata: 3, fd: 1, type: WASIABI.EventType.fdWrite)
        try fdSubscription(harness, at: 3144, userdata: 4, fd: 77, type: WASIABI.EventType.fdRead)
        #expect(try harness.call("poll_oneoff", [.i32(3000), .i32(4000), .i32(4), .i32(600)]) == .success)
        #expect(try harness.u32(at: 600) == 3)
        #expect(try harness.u64(at: 4000) == 2)
        #expect(try harness.u64(at: 4016) == 3)
        #expect(try harness.u64(at: 4032) == 3)
        #expect(try harness.u64(at: 4064) == 4)
        #expect(try harness.memory.view.load(UInt16.self, at: 4072) == WASIErrno.badf.rawValue)
    }

    @Test func aLongSleepEndsAtTheGovernorsDeadline() throws {
        let governor = ExecutionGovernor(timeout: .milliseconds(100))
        let harness = try WASIHarness(WASIConfiguration(governor: governor))
        try clockSubscription(harness, at: 3000, userdata: 1, nanoseconds: 3_600_000_000_000)
        #expect {
            _ = try harness.invoke("poll_oneoff", [.i32(3000), .i32(4000), .i32(1), .i32(600)])
        } throws: { error in
            if case SandboxError.limitExceeded(.timeout, _) = error { return true }
            return false
        }
    }

    @Test func aStopRequestEndsASleep() throws {
        let governor = ExecutionGovernor()
        let harness = try WASIHarness(WASIConfiguration(governor: governor))
        try clockSubscription(harness, at: 3000, userdata: 1, nanoseconds: 3_600_000_000_000)
        governor.requestStop(.runtime("shutting down"))
        #expect(throws: SandboxError.self) {
            _ = try harness.invoke("poll_oneoff", [.i32(3000), .i32(4000), .i32(1), .i32(600)])
        }
    }

    @Test func zeroSubscriptionsIsInvalid() throws {
        let harness = try WASIHarness(WASIConfiguration())
        #expect(try harness.call("poll_oneoff", [.i32(3000), .i32(4000), .i32(0), .i32(600)]) == .inval)
    }
}
