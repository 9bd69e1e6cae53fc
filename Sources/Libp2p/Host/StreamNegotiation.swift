import NIOCore

/// Runs multistream-select over a fresh stream, with a deadline: on timeout the stream is reset.
enum StreamNegotiation {
    /// Negotiates as the dialer, proposing `protocols` in order; returns the agreed protocol.
    static func dial(_ stream: Libp2pStream, proposing protocols: [String], timeout: Duration, maxLineLength: Int) async throws -> String {
        try await run(stream, negotiator: .dialer(proposing: protocols), timeout: timeout, maxLineLength: maxLineLength)
    }

    /// Negotiates as the listener; returns the agreed protocol.
    static func listen(_ stream: Libp2pStream, supported: @escaping @Sendable (String) -> Bool, timeout: Duration, maxLineLength: Int) async throws -> String {
        try await run(stream, negotiator: .listener(supported: supported), timeout: timeout, maxLineLength: maxLineLength)
    }

    private static func run(_ stream: Libp2pStream, negotiator initial: MultistreamNegotiator, timeout: Duration, maxLineLength: Int) async throws -> String {
        let core = stream.core
        let deadline = core.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            core.reset()
        }
        defer { deadline.cancel() }
        var negotiator = initial
        var buffer = ByteBuffer()
        try await stream.write(negotiator.start())
        while true {
            while let line = try MultistreamCodec.decode(&buffer, maxLineLength: maxLineLength) {
                switch try negotiator.receive(line) {
                case .continue:
                    break
                case .send(let bytes):
                    try await stream.write(bytes)
                case .agreed(let agreed, let bytes):
                    if !bytes.isEmpty { try await stream.write(bytes) }
                    await stream.unread(buffer)
                    stream.protocolID = agreed
                    return agreed
                }
            }
            guard var chunk = try await stream.read(max: maxLineLength + 16) else {
                throw Libp2pError.multistreamMalformed("stream ended during negotiation")
            }
            buffer.writeBuffer(&chunk)
        }
    }
}
