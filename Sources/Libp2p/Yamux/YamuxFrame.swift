import NIOCore

/// The four Yamux frame types (spec: hashicorp/yamux `spec.md`).
public enum YamuxFrameType: UInt8, Sendable {
    /// Carries stream data; the header's length is the payload length.
    case data = 0
    /// Grants more receive window; the header's length is the increment.
    case windowUpdate = 1
    /// Session keep-alive; the header's length is an opaque value echoed back.
    case ping = 2
    /// Session shutdown; the header's length is the error code.
    case goAway = 3
}

/// Yamux header flags.
public struct YamuxFlags: OptionSet, Sendable, Hashable {
    /// The raw 16-bit flag field.
    public let rawValue: UInt16
    /// Creates flags from their raw value.
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Opens a stream (or starts a ping).
    public static let syn = YamuxFlags(rawValue: 0x1)
    /// Acknowledges a stream (or answers a ping).
    public static let ack = YamuxFlags(rawValue: 0x2)
    /// Half-closes the sender's side of the stream.
    public static let fin = YamuxFlags(rawValue: 0x4)
    /// Resets the stream.
    public static let rst = YamuxFlags(rawValue: 0x8)
}

/// Yamux GoAway error codes.
public enum YamuxGoAwayCode: UInt32, Sendable {
    /// Normal termination.
    case normal = 0
    /// The peer broke the protocol.
    case protocolError = 1
    /// An internal error.
    case internalError = 2
}

/// One Yamux frame: a 12-byte header plus, for data frames, the payload.
public struct YamuxFrame: Sendable, Equatable {
    /// The size of every Yamux header in bytes.
    public static let headerLength = 12

    /// The frame type.
    public var type: YamuxFrameType
    /// The flags.
    public var flags: YamuxFlags
    /// The stream the frame belongs to (0 for session frames: ping and GoAway).
    public var streamID: UInt32
    /// Payload length for data frames, window delta for window updates, opaque value for pings,
    /// error code for GoAway.
    public var length: UInt32
    /// The payload of a data frame (empty for other types).
    public var payload: ByteBuffer

    /// Creates a frame. For data frames `length` is taken from `payload`.
    public init(type: YamuxFrameType, flags: YamuxFlags = [], streamID: UInt32, length: UInt32 = 0, payload: ByteBuffer = ByteBuffer()) {
        self.type = type
        self.flags = flags
        self.streamID = streamID
        self.payload = payload
        self.length = type == .data ? UInt32(truncatingIfNeeded: payload.readableBytes) : length
    }

    /// Writes the 12-byte header into `buffer` (the payload is not written).
    public func writeHeader(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(type.rawValue)
        buffer.writeInteger(flags.rawValue)
        buffer.writeInteger(streamID)
        buffer.writeInteger(length)
    }

    /// Writes header and payload into `buffer`.
    public func encode(into buffer: inout ByteBuffer) {
        writeHeader(into: &buffer)
        if type == .data {
            var payload = self.payload
            buffer.writeBuffer(&payload)
        }
    }
}

/// Decodes Yamux frames from a byte stream, rejecting bad versions, unknown types and data
/// frames larger than `maxDataLength` (so a hostile length can never make us buffer gigabytes).
public struct YamuxFrameDecoder: Sendable {
    /// The largest data payload accepted in one frame.
    public let maxDataLength: UInt32

    /// Creates a decoder.
    public init(maxDataLength: UInt32 = 16 * 1024 * 1024) {
        self.maxDataLength = maxDataLength
    }

    /// How many more bytes the frame at the front of `buffer` needs before `decode` can return
    /// it: the rest of the header, or for a data frame with its header in, the rest of the
    /// payload (as announced; `decode` rejects oversized lengths). Zero if it is complete.
    public func bytesMissing(in buffer: ByteBuffer) -> Int {
        guard buffer.readableBytes >= YamuxFrame.headerLength else { return YamuxFrame.headerLength - buffer.readableBytes }
        guard buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self) == YamuxFrameType.data.rawValue,
              let length = buffer.getInteger(at: buffer.readerIndex + 8, as: UInt32.self)
        else { return 0 }
        let needed = YamuxFrame.headerLength + Int(min(length, maxDataLength))
        return max(0, needed - buffer.readableBytes)
    }

    /// Reads and validates the header at the front of `buffer` without consuming anything:
    /// the frame with an empty payload and the header's `length` (for data: the announced
    /// payload length, checked against `maxDataLength`), or nil before 12 bytes are there.
    public func decodeHeader(_ buffer: ByteBuffer) throws(Libp2pError) -> YamuxFrame? {
        let start = buffer.readerIndex
        guard buffer.readableBytes >= YamuxFrame.headerLength,
              let version = buffer.getInteger(at: start, as: UInt8.self),
              let rawType = buffer.getInteger(at: start + 1, as: UInt8.self),
              let flags = buffer.getInteger(at: start + 2, as: UInt16.self),
              let streamID = buffer.getInteger(at: start + 4, as: UInt32.self),
              let length = buffer.getInteger(at: start + 8, as: UInt32.self)
        else { return nil }
        guard version == 0 else { throw .yamuxBadVersion(version) }
        guard let type = YamuxFrameType(rawValue: rawType) else { throw .yamuxBadType(rawType) }
        if type == .data, length > maxDataLength {
            throw .yamuxProtocolError("data frame of \(length) bytes exceeds the \(maxDataLength)-byte limit")
        }
        var frame = YamuxFrame(type: type, flags: YamuxFlags(rawValue: flags), streamID: streamID, length: length)
        frame.length = length
        return frame
    }

    /// Decodes one frame from the front of `buffer`, or returns nil (consuming nothing) when more
    /// bytes are needed. Data payloads are slices of `buffer`, not copies.
    public func decode(_ buffer: inout ByteBuffer) throws(Libp2pError) -> YamuxFrame? {
        guard var frame = try decodeHeader(buffer) else { return nil }
        if frame.type == .data {
            guard buffer.readableBytes >= YamuxFrame.headerLength + Int(frame.length) else { return nil }
            buffer.moveReaderIndex(forwardBy: YamuxFrame.headerLength)
            frame.payload = buffer.readSlice(length: Int(frame.length)) ?? ByteBuffer()
            return frame
        }
        buffer.moveReaderIndex(forwardBy: YamuxFrame.headerLength)
        return frame
    }
}
