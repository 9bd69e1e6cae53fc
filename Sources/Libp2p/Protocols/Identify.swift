import Multiformats
import NIOCore

/// The identify protocols: answering `/ipfs/id/1.0.0`, querying a peer, and identify push.
public enum Identify {
    /// The identify protocol id.
    public static let protocolID = "/ipfs/id/1.0.0"
    /// The identify push protocol id.
    public static let pushProtocolID = "/ipfs/id/push/1.0.0"

    /// Writes `message` length-prefixed and closes the stream.
    static func send(_ message: IdentifyMessage, on stream: Libp2pStream) async throws {
        try await stream.write(ProtobufWire.lengthPrefixed(message.encoded))
        try await stream.closeWrite()
        await stream.close()
    }

    /// Reads one identify message (until the stream ends).
    static func receive(on stream: Libp2pStream) async throws -> IdentifyMessage {
        let buffer = try await stream.readAll(limit: IdentifyMessage.maxLength + Varint.maxLength)
        await stream.close()
        return try IdentifyMessage(framedOrRaw: Array(buffer.readableBytesView))
    }
}
