import Foundation
import Multiformats
import NIOCore
import Testing
@testable import Libp2p

/// Throughput and latency measurements, run only when `STATION_LIBP2P_BENCH=1` (see
/// `benchmarks/bench-libp2p`). They print figures and check that every byte arrived; they never
/// assert on timing.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["STATION_LIBP2P_BENCH"] == "1"))
struct Libp2pBenchmarkTests {
    static let sinkProtocol = "/station-test/sink/1.0.0"
    static let swiftBytes = Int(ProcessInfo.processInfo.environment["STATION_BENCH_BYTES"] ?? "") ?? 1 << 30
    static let pyBytes = Int(ProcessInfo.processInfo.environment["STATION_BENCH_PY_BYTES"] ?? "") ?? 64 << 20

    /// Reads an 8-byte length N, then N bytes, and answers with the 8-byte count.
    static func sink(_ stream: Libp2pStream) async {
        do {
            var header = try await stream.readExactly(8)
            let total = Int(header.readInteger(as: UInt64.self) ?? 0)
            var received = 0
            while received < total, let chunk = try await stream.read(max: 1 << 20) {
                received += chunk.readableBytes
            }
            var reply = ByteBuffer()
            reply.writeInteger(UInt64(received))
            try await stream.write(reply)
            try await stream.closeWrite()
        } catch {
            stream.reset()
        }
    }

    /// Sends `total` bytes on a sink stream, reusing one 1 MiB buffer; returns (bytes counted, seconds).
    static func send(_ total: Int, on stream: Libp2pStream) async throws -> (Int, Double) {
        let clock = ContinuousClock()
        let start = clock.now
        var header = ByteBuffer()
        header.writeInteger(UInt64(total))
        try await stream.write(header)
        let chunk = ByteBuffer(repeating: 0xAB, count: 1 << 20)
        var sent = 0
        while sent < total {
            let size = min(chunk.readableBytes, total - sent)
            try await stream.write(size == chunk.readableBytes ? chunk : chunk.getSlice(at: 0, length: size) ?? chunk)
            sent += size
        }
        var reply = try await stream.readExactly(8)
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (Int(reply.readInteger(as: UInt64.self) ?? 0), seconds)
    }

    static func report(_ name: String, bytes: Int, seconds: Double) {
        print(String(format: "BENCH %@: %d bytes in %.2f s = %.1f MB/s", name, bytes, seconds, Double(bytes) / 1e6 / seconds))
    }

    /// `STATION_BENCH_WINDOW` (bytes) raises the Yamux receive window of both hosts;
    /// `STATION_BENCH_FRAME` (bytes) sets the largest Yamux data frame they send.
    static var configuration: HostConfiguration {
        var configuration = HostConfiguration()
        if let window = UInt32(ProcessInfo.processInfo.environment["STATION_BENCH_WINDOW"] ?? "") {
            configuration.yamux.receiveWindow = window
        }
        if let frame = Int(ProcessInfo.processInfo.environment["STATION_BENCH_FRAME"] ?? "") {
            configuration.yamux.maxFramePayload = frame
        }
        return configuration
    }

    @Test func swiftToSwiftOneStream() async throws {
        let (server, address) = try await TestHosts.listeningHost(configuration: Self.configuration)
        server.setStreamHandler(protocol: Self.sinkProtocol) { await Self.sink($0) }
        let client = Libp2pHost(group: TestHosts.group, configuration: Self.configuration)
        let stream = try await client.newStream(to: address, protocol: Self.sinkProtocol)
        let (count, seconds) = try await Self.send(Self.swiftBytes, on: stream)
        #expect(count == Self.swiftBytes)
        Self.report("swift->swift (window \(Self.configuration.yamux.receiveWindow), frames ≤ \(Self.configuration.yamux.maxFramePayload))", bytes: count, seconds: seconds)
        await client.close()
        await server.close()
    }

    @Test func swiftToPyOneStream() async throws {
        let python = try PythonPeer(["listen"])
        defer { python.stop() }
        let address = try Multiaddr(try await python.nextLine())
        let client = Libp2pHost(group: TestHosts.group)
        let stream = try await client.newStream(to: address, protocol: Self.sinkProtocol)
        let (count, seconds) = try await Self.send(Self.pyBytes, on: stream)
        #expect(count == Self.pyBytes)
        Self.report("swift->py", bytes: count, seconds: seconds)
        await client.close()
    }

    @Test func pyToPyOneStream() async throws {
        let listener = try PythonPeer(["listen"])
        defer { listener.stop() }
        let address = try await listener.nextLine()
        let dialer = try PythonPeer(["dial", address, "sink", String(Self.pyBytes)])
        defer { dialer.stop() }
        let result = try await dialer.nextJSON(within: 600)
        let count = result["bytes"] as? Int ?? 0
        #expect(count == Self.pyBytes)
        Self.report("py->py", bytes: count, seconds: result["seconds"] as? Double ?? 0)
    }

    @Test func pyToSwiftOneStream() async throws {
        let (server, address) = try await TestHosts.listeningHost()
        server.setStreamHandler(protocol: Self.sinkProtocol) { await Self.sink($0) }
        let dialer = try PythonPeer(["dial", address.description, "sink", String(Self.pyBytes)])
        defer { dialer.stop() }
        let result = try await dialer.nextJSON(within: 600)
        let count = result["bytes"] as? Int ?? 0
        #expect(count == Self.pyBytes)
        Self.report("py->swift", bytes: count, seconds: result["seconds"] as? Double ?? 0)
        await server.close()
    }

    @Test func connectionSetupTime() async throws {
        let (server, address) = try await TestHosts.listeningHost()
        var configuration = HostConfiguration()
        configuration.identifyOnConnect = false
        let rounds = 50
        let clock = ContinuousClock()
        var total = Duration.zero
        for _ in 0 ..< rounds {
            let client = Libp2pHost(group: TestHosts.group, configuration: configuration)
            let start = clock.now
            let connection = try await client.connect(to: address)
            try await client.identify(connection)
            total += clock.now - start
            await client.close()
        }
        let average = total / rounds
        print("BENCH connection setup (TCP+Noise+Yamux+identify), mean of \(rounds): \(average)")
        #expect(total > .zero)
        await server.close()
    }

    @Test func thousandConcurrentStreams() async throws {
        let (server, address) = try await TestHosts.listeningHost()
        let client = Libp2pHost(group: TestHosts.group)
        let connection = try await client.connect(to: address)
        let clock = ContinuousClock()
        let start = clock.now
        let matches = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0 ..< 1000 {
                group.addTask {
                    let stream = try await client.newStream(on: connection, protocols: [TestHosts.echoProtocol])
                    let payload = [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: 1024)
                    return try await TestHosts.echoRoundTrip(stream, payload: payload) == payload
                }
            }
            var count = 0
            for try await match in group where match { count += 1 }
            return count
        }
        let elapsed = clock.now - start
        print("BENCH 1000 concurrent streams (open, negotiate, 1 KiB echo) on one connection: \(elapsed)")
        #expect(matches == 1000)
        await client.close()
        await server.close()
    }
}
