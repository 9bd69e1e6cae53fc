import Foundation
import Multiformats
import NIOCore
import NIOPosix
@testable import Libp2p

/// Shared fixtures for tests that run real hosts on loopback.
enum TestHosts {
    /// One event-loop group for every test (never shut down; the test process ends instead).
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    /// A loop of its own for hosts that verify secp256k1 signatures: that takes seconds in a debug
    /// build and blocks the loop meanwhile, which would stall every other test's connections (and
    /// make their peers look silent to the listener's silent-peer timeout).
    static let slowCryptoGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    static let echoProtocol = "/station-test/echo/1.0.0"
    static let loopback = try! Multiaddr("/ip4/127.0.0.1/tcp/0")

    /// A host listening on a random loopback port with the echo handler; returns it and its
    /// full address (with /p2p/).
    static func listeningHost(configuration: HostConfiguration = HostConfiguration(), group: EventLoopGroup = group) async throws -> (Libp2pHost, Multiaddr) {
        let host = Libp2pHost(group: group, configuration: configuration)
        host.setStreamHandler(protocol: echoProtocol) { stream in await echo(stream) }
        let bound = try await host.listen(on: loopback)
        return (host, bound.encapsulate(Multiaddr.Component.p2p(host.peerID.multihash)))
    }

    /// Echoes every byte until the remote half-closes, then half-closes.
    static func echo(_ stream: Libp2pStream) async {
        do {
            while let chunk = try await stream.read() {
                try await stream.write(chunk)
            }
            try await stream.closeWrite()
        } catch {
            stream.reset()
        }
    }

    /// Sends `payload` on a stream while reading the echo concurrently; returns what came back.
    static func echoRoundTrip(_ stream: Libp2pStream, payload: [UInt8], chunk: Int = 64 * 1024) async throws -> [UInt8] {
        try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask {
                var offset = 0
                while offset < payload.count {
                    let end = min(offset + chunk, payload.count)
                    try await stream.write(ByteBuffer(bytes: payload[offset ..< end]))
                    offset = end
                }
                try await stream.closeWrite()
                return nil
            }
            group.addTask {
                var received: [UInt8] = []
                received.reserveCapacity(payload.count)
                while let buffer = try await stream.read() {
                    received.append(contentsOf: buffer.readableBytesView)
                }
                return received
            }
            var result: [UInt8] = []
            for try await value in group {
                if let value { result = value }
            }
            return result
        }
    }
}

/// A tiny lock for test helpers.
final class NSLockCompat: @unchecked Sendable {
    private let lock = NSLock()
    func with<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
