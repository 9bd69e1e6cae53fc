import StationHost
import Testing

@Suite("ByteChannel: bounded pipe from producers to a module")
struct ByteChannelTests {
    @Test("bytes arrive in order, then the end")
    func order() async throws {
        let channel = ByteChannel(capacity: 8, hub: ReadinessHub())
        try await channel.append([1, 2, 3])
        try await channel.append([4, 5])
        channel.finish()
        var buffer = [UInt8](repeating: 0, count: 4)
        let first = try buffer.withUnsafeMutableBytes { try channel.read(into: $0) }
        #expect(first == 4)
        #expect(buffer == [1, 2, 3, 4])
        let second = try buffer.withUnsafeMutableBytes { try channel.read(into: $0) }
        #expect(second == 1)
        #expect(buffer[0] == 5)
        #expect(try buffer.withUnsafeMutableBytes { try channel.read(into: $0) } == 0)
    }

    @Test("an empty channel would block; a failure is reported after the data")
    func wouldBlockThenFailure() async throws {
        let channel = ByteChannel(capacity: 8, hub: ReadinessHub())
        var buffer = [UInt8](repeating: 0, count: 4)
        #expect(throws: StationError.wouldBlock) { try buffer.withUnsafeMutableBytes { try channel.read(into: $0) } }
        try await channel.append([9])
        channel.fail(StationError(.io, "reset"))
        #expect(try buffer.withUnsafeMutableBytes { try channel.read(into: $0) } == 1)
        #expect(throws: StationError(.io, "reset")) { try buffer.withUnsafeMutableBytes { try channel.read(into: $0) } }
    }

    @Test("a full channel holds the producer until the module reads")
    func backpressure() async throws {
        let channel = ByteChannel(capacity: 4, hub: ReadinessHub())
        try await channel.append([1, 2, 3, 4])
        let producer = Task { try await channel.append([5]) }
        try await Task.sleep(for: .milliseconds(50))
        #expect(channel.bytesReceived == 4)
        var buffer = [UInt8](repeating: 0, count: 4)
        _ = try buffer.withUnsafeMutableBytes { try channel.read(into: $0) }
        try await producer.value
        #expect(channel.bytesReceived == 5)
    }

    @Test("a producer waiting for room stops when its task is cancelled or the module closes")
    func cancellation() async throws {
        let channel = ByteChannel(capacity: 1, hub: ReadinessHub())
        try await channel.append([1])
        let waiting = Task { try await channel.append([2]) }
        try await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }

        let second = Task { try await channel.append([3]) }
        try await Task.sleep(for: .milliseconds(20))
        channel.close()
        await #expect(throws: CancellationError.self) { try await second.value }
    }
}
