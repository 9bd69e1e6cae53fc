import NIOCore

/// The ping protocol (`/ipfs/ping/1.0.0`): the dialer sends 32 random bytes, the listener echoes
/// them; repeated on the same stream.
public enum Ping {
    /// The ping protocol id.
    public static let protocolID = "/ipfs/ping/1.0.0"
    /// The payload size.
    public static let payloadLength = 32

    /// Echoes 32-byte payloads until the stream ends.
    static func serve(_ stream: Libp2pStream) async {
        do {
            while true {
                var payload = ByteBuffer()
                while payload.readableBytes < payloadLength {
                    guard var chunk = try await stream.read(max: payloadLength - payload.readableBytes) else {
                        await stream.close()
                        return
                    }
                    payload.writeBuffer(&chunk)
                }
                try await stream.write(payload)
            }
        } catch {
            stream.reset()
        }
    }

    /// Sends `count` pings on `stream` and returns the round-trip times.
    static func run(on stream: Libp2pStream, count: Int) async throws -> [Duration] {
        let clock = ContinuousClock()
        var times: [Duration] = []
        for _ in 0 ..< count {
            let payload = (0 ..< payloadLength).map { _ in UInt8.random(in: 0 ... 255) }
            let start = clock.now
            try await stream.write(payload)
            let echoed = try await stream.readExactly(payloadLength)
            guard Array(echoed.readableBytesView) == payload else {
                throw Libp2pError.protocolViolation("ping reply does not match the payload")
            }
            times.append(clock.now - start)
        }
        return times
    }
}
