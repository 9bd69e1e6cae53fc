import NIOCore
import Synchronization

/// One multiplexed libp2p stream (a Yamux stream, usually after protocol negotiation).
///
/// All methods are safe to call from any task; the work runs on the connection's event loop and
/// never blocks it. Only one `read` may be outstanding at a time. Writes complete once the bytes
/// reached the socket, so a peer that stops reading stalls the writer (back-pressure) instead of
/// growing memory.
public final class Libp2pStream: Sendable {
    let core: YamuxStream
    private let negotiatedProtocol = Mutex<String?>(nil)

    /// The peer on the other end.
    public let remotePeer: PeerID
    /// The connection carrying the stream.
    public let connection: Connection

    init(core: YamuxStream, connection: Connection) {
        self.core = core
        self.connection = connection
        remotePeer = connection.remotePeer
    }

    /// The Yamux stream id.
    public var streamID: UInt32 { core.id }

    /// The protocol agreed for this stream, once negotiated.
    public internal(set) var protocolID: String? {
        get { negotiatedProtocol.withLock { $0 } }
        set { negotiatedProtocol.withLock { $0 = newValue } }
    }

    /// Reads up to `max` bytes; returns nil at the end of the stream (the remote half-closed).
    /// Throws `Libp2pError.streamReset` or `.connectionClosed` when the stream broke.
    public func read(max: Int = 64 * 1024) async throws -> ByteBuffer? {
        let core = self.core
        return try await core.eventLoop.flatSubmit { core.read(max: max) }.get()
    }

    /// Reads until the end of the stream, failing if more than `limit` bytes arrive.
    public func readAll(limit: Int) async throws -> ByteBuffer {
        var collected = ByteBuffer()
        while var chunk = try await read() {
            guard collected.readableBytes + chunk.readableBytes <= limit else {
                throw Libp2pError.protocolViolation("stream sent more than \(limit) bytes")
            }
            collected.writeBuffer(&chunk)
        }
        return collected
    }

    /// Reads exactly `count` bytes; throws if the stream ends first.
    public func readExactly(_ count: Int) async throws -> ByteBuffer {
        var collected = ByteBuffer()
        while collected.readableBytes < count {
            guard var chunk = try await read(max: count - collected.readableBytes) else {
                throw Libp2pError.protocolViolation("stream ended after \(collected.readableBytes) of \(count) bytes")
            }
            collected.writeBuffer(&chunk)
        }
        return collected
    }

    /// Writes `buffer`; returns once it has been handed to the socket.
    public func write(_ buffer: ByteBuffer) async throws {
        let core = self.core
        try await core.eventLoop.flatSubmit { core.write(buffer) }.get()
    }

    /// Writes `bytes`.
    public func write(_ bytes: some Collection<UInt8> & Sendable) async throws {
        try await write(ByteBuffer(bytes: bytes))
    }

    /// Half-closes: sends FIN after queued data; reading stays possible.
    public func closeWrite() async throws {
        let core = self.core
        try await core.eventLoop.flatSubmit { core.closeWrite() }.get()
    }

    /// Closes both directions gracefully: FIN for ours, and any further incoming data is dropped.
    public func close() async {
        let core = self.core
        _ = try? await core.eventLoop.flatSubmit { core.close() }.get()
    }

    /// Resets the stream abruptly (RST); pending reads and writes fail on both ends.
    public func reset() {
        let core = self.core
        core.eventLoop.execute { core.reset() }
    }

    /// Puts bytes back in front of the receive queue (after negotiation read too far).
    func unread(_ buffer: ByteBuffer) async {
        let core = self.core
        _ = try? await core.eventLoop.submit { core.unread(buffer) }.get()
    }
}
