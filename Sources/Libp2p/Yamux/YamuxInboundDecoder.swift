import NIOCore

/// A piece of a received Yamux frame, as `YamuxInboundDecoder` hands it to the session.
///
/// Non-data frames always come whole. A data frame comes as one part when its payload is in
/// one read, otherwise as several parts in order, each with the payload bytes that had arrived:
/// the header's flags are split so that SYN and ACK ride on the first part and FIN and RST on
/// the last, which is where a stream must act on them.
struct YamuxFramePart {
    /// The frame: its `payload` is this part's bytes and its `flags` those this part carries;
    /// on the first part `length` is the header's (for data: the whole announced payload), on
    /// later parts the part's own byte count.
    var frame: YamuxFrame
    /// True for the part that carries the header (the session checks the announced length then).
    var isFirst: Bool
    /// True for the part that ends the frame.
    var isLast: Bool
}

/// Yamux framing as a NIO `ByteToMessageDecoder`: turns the secure channel's plaintext into
/// `YamuxFramePart`s for the `YamuxSession` behind it.
///
/// It rejects bad versions, unknown types and data frames announcing more than `maxDataLength`
/// as soon as their header is in (so a hostile length never makes us wait for, or buffer, its
/// payload). Payload parts are slices of the buffers they arrived in: a frame split across reads
/// is delivered in parts rather than gathered, so no payload byte is ever copied, and only a
/// header split across reads (at most 11 bytes) is kept between reads.
struct YamuxInboundDecoder: ByteToMessageDecoder {
    typealias InboundOut = YamuxFramePart

    private let headerDecoder: YamuxFrameDecoder
    /// The data frame whose payload is still arriving, and how many bytes of it are missing.
    private var current: (frame: YamuxFrame, missing: Int)?
    /// The start of a header split across reads.
    private var partialHeader = ByteBuffer()

    /// Creates a decoder accepting data payloads of up to `maxDataLength` bytes.
    init(maxDataLength: UInt32) {
        headerDecoder = YamuxFrameDecoder(maxDataLength: maxDataLength)
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard buffer.readableBytes > 0 else { return .needMoreData }
        if let (frame, missing) = current {
            let count = min(missing, buffer.readableBytes)
            let payload = buffer.readSlice(length: count) ?? ByteBuffer()
            let isLast = count == missing
            current = isLast ? nil : (frame, missing - count)
            var part = frame
            part.payload = payload
            part.length = UInt32(count)
            part.flags = isLast ? frame.flags.intersection([.fin, .rst]) : []
            context.fireChannelRead(wrapInboundOut(YamuxFramePart(frame: part, isFirst: false, isLast: isLast)))
            return .continue
        }
        let header: ByteBuffer
        if partialHeader.readableBytes > 0 {
            guard var rest = buffer.readSlice(length: min(YamuxFrame.headerLength - partialHeader.readableBytes, buffer.readableBytes)) else { return .needMoreData }
            partialHeader.writeBuffer(&rest)
            guard partialHeader.readableBytes == YamuxFrame.headerLength else { return .needMoreData }
            header = partialHeader
            partialHeader = ByteBuffer()
        } else if buffer.readableBytes >= YamuxFrame.headerLength {
            header = buffer.readSlice(length: YamuxFrame.headerLength) ?? ByteBuffer()
        } else {
            // Kept here rather than in the handler's cumulation, which would otherwise take the
            // whole next read in behind these few bytes (a copy of that read).
            partialHeader.writeBuffer(&buffer)
            return .needMoreData
        }
        guard var frame = try headerDecoder.decodeHeader(header) else { return .needMoreData }
        let announced = Int(frame.length)
        guard frame.type == .data, announced > 0 else {
            context.fireChannelRead(wrapInboundOut(YamuxFramePart(frame: frame, isFirst: true, isLast: true)))
            return .continue
        }
        let flags = frame.flags
        let count = min(announced, buffer.readableBytes)
        let isLast = count == announced
        frame.payload = buffer.readSlice(length: count) ?? ByteBuffer()
        if !isLast {
            frame.flags = flags.subtracting([.fin, .rst])
            current = (YamuxFrame(type: .data, flags: flags, streamID: frame.streamID), announced - count)
        }
        context.fireChannelRead(wrapInboundOut(YamuxFramePart(frame: frame, isFirst: true, isLast: isLast)))
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A frame cut off by the end of the connection is dropped.
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
