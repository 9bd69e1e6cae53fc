import Libp2p
import NIOCore
import NIOEmbedded

extension Harness {
    /// The libp2p connection upgrade (multistream → Noise XX → multistream → Yamux) on NIO's
    /// `EmbeddedChannel`, fed hostile bytes as inbound data, the way a TCP peer would send them.
    ///
    /// Input: byte 0 holds flags (bit 0: this side dials (initiator), else it listens; bit 1: the
    /// harness first sends the correct multistream lines for `/noise`, so the rest reaches the
    /// Noise layer directly), byte 1 the chunk size the rest is delivered in (0: all at once).
    /// Invariants:
    /// - the channel waits, fails or closes; it never traps;
    /// - the result is reported at most once, and a failure closes the channel;
    /// - what the side writes back stays bounded (a handshake message or two, never an echo of
    ///   the input or a growing buffer).
    public static func noise(_ bytes: [UInt8]) throws {
        _ = try noiseRun(bytes)
    }

    /// ``noise(_:)``, returning what the side did (for the tests that check the harness reaches
    /// the handshake): the bytes it wrote back and whether the upgrade failed.
    public static func noiseRun(_ bytes: [UInt8]) throws -> (written: Int, failed: Bool) {
        var reader = FuzzByteReader(bytes)
        let flags = reader.next()
        let chunk = Int(reader.next())
        let isInitiator = flags & 1 == 1
        var inbound = ByteBuffer()
        if flags & 2 == 2 {
            for line in ["/multistream/1.0.0\n", "/noise\n"] {
                var encoded: [UInt8] = []
                WasmEncoder.unsigned(UInt64(line.utf8.count), into: &encoded)
                inbound.writeBytes(encoded + Array(line.utf8))
            }
        }
        inbound.writeBytes(reader.take(bytes.count))

        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        let results = NoiseResults()
        do {
            try ConnectionUpgrade.install(on: channel, identity: NoiseFixture.identity, isInitiator: isInitiator) { results.record($0) }
            try channel.connect(to: NoiseFixture.address).wait()
        } catch {
            try fuzzCheck(false, "the upgrade cannot start on an embedded channel: \(error)")
        }
        var written = 0
        func drain() throws {
            channel.embeddedEventLoop.run()
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
                written += buffer.readableBytes
            }
        }
        try drain()
        let size = chunk == 0 ? max(1, inbound.readableBytes) : chunk
        while inbound.readableBytes > 0, channel.isActive {
            let slice = inbound.readSlice(length: min(size, inbound.readableBytes))!
            do {
                try channel.writeInbound(slice)
            } catch {
                // A handler's error surfaces here; the upgrade must have reported it and closed.
            }
            try drain()
        }
        try fuzzCheck(results.count <= 1, "the upgrade reported \(results.count) results")
        if results.failed {
            try fuzzCheck(!channel.isActive, "a failed upgrade left the channel open")
        }
        // Multistream lines and the handshake's messages: a few hundred bytes, whatever came in.
        try fuzzCheck(written <= NoiseFixture.maxWritten, "the side wrote \(written) bytes back for \(bytes.count) bytes of input")
        return (written, results.failed)
    }
}

/// What the Noise harness keeps across inputs: one identity (key generation is costly).
enum NoiseFixture {
    static let identity = PrivateKey()
    static let address = try! SocketAddress(ipAddress: "127.0.0.1", port: 4001)
    static let maxWritten = 4096
}

/// The results the upgrade reported for one input (called on the embedded loop, this thread).
final class NoiseResults: @unchecked Sendable {
    private(set) var count = 0
    private(set) var failed = false

    func record(_ result: Result<PeerID, Error>) {
        count += 1
        if case .failure = result { failed = true }
    }
}
