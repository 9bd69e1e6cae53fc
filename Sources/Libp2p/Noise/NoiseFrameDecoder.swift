import NIOCore

/// Splits the byte stream of a Noise channel into whole Noise messages (2-byte big-endian length,
/// then up to 65535 bytes), as a NIO `ByteToMessageDecoder`.
///
/// Each output buffer holds one or more complete messages, length prefixes included: all the
/// complete messages of a socket read come out as one slice of that read (no copy), so the
/// security handler can open them in one go and pass one plaintext buffer on per read.
///
/// Socket reads (up to 1 MiB) almost always end inside a message. `ByteToMessageHandler` would
/// keep that tail and append the whole next read to it (a copy of every byte); instead the
/// decoder moves just the unfinished message into a buffer of its own and completes it from the
/// front of the next read, so only bytes of messages split across reads are ever copied.
struct NoiseFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    /// The longest possible message on the wire: the prefix plus 65535 bytes.
    static let maxFrameLength = 2 + 65535

    /// The start of a message split across reads.
    private var partial = ByteBuffer()

    /// Bytes still missing from the message at the front of `buffer` (the rest of the prefix
    /// first); zero when it is complete.
    static func bytesMissing(in buffer: ByteBuffer) -> Int {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self) else { return 2 - buffer.readableBytes }
        return max(0, 2 + Int(length) - buffer.readableBytes)
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if partial.readableBytes > 0 {
            while Self.bytesMissing(in: partial) > 0, buffer.readableBytes > 0 {
                guard var part = buffer.readSlice(length: min(Self.bytesMissing(in: partial), buffer.readableBytes)) else { break }
                partial.writeBuffer(&part)
            }
            guard Self.bytesMissing(in: partial) == 0 else { return .needMoreData }
            context.fireChannelRead(wrapInboundOut(partial))
            // The message was handled synchronously, so the storage is ours again: clearing
            // keeps it for the next split message without a copy.
            partial.clear()
            return buffer.readableBytes > 0 ? .continue : .needMoreData
        }
        var end = buffer.readerIndex
        while let length = buffer.getInteger(at: end, as: UInt16.self), end + 2 + Int(length) <= buffer.writerIndex {
            end += 2 + Int(length)
        }
        if end > buffer.readerIndex, let complete = buffer.readSlice(length: end - buffer.readerIndex) {
            context.fireChannelRead(wrapInboundOut(complete))
        }
        if buffer.readableBytes > 0 {
            partial.reserveCapacity(Self.maxFrameLength)
            partial.writeBuffer(&buffer)
        }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // An unfinished message at the end of the connection is dropped.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
