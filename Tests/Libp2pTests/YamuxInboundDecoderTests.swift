import NIOCore
import NIOEmbedded
import Testing
@testable import Libp2p

/// The Yamux frame decoder on NIO's `EmbeddedChannel` (no sockets): frames split at every byte,
/// data frames delivered in parts, and the caps on hostile headers.
@Suite struct YamuxInboundDecoderTests {
    static func channel(maxDataLength: UInt32 = 1024) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(YamuxInboundDecoder(maxDataLength: maxDataLength)))
        return channel
    }

    static func parts(_ channel: EmbeddedChannel) throws -> [YamuxFramePart] {
        var parts: [YamuxFramePart] = []
        while let part = try channel.readInbound(as: YamuxFramePart.self) { parts.append(part) }
        return parts
    }

    static func encoded(_ frames: [YamuxFrame]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for frame in frames { frame.encode(into: &buffer) }
        return buffer
    }

    static let payload = ByteBuffer(bytes: (0 ..< 700).map { UInt8(truncatingIfNeeded: $0 * 7) })
    static let frames = [
        YamuxFrame(type: .windowUpdate, flags: .syn, streamID: 1, length: 4096),
        YamuxFrame(type: .data, flags: [.syn, .fin], streamID: 3, payload: payload),
        YamuxFrame(type: .ping, flags: .syn, streamID: 0, length: 99),
        YamuxFrame(type: .data, streamID: 1),
        YamuxFrame(type: .goAway, streamID: 0, length: 0),
    ]

    /// Joins the parts of each frame back together and checks how the flags were split.
    static func reassemble(_ parts: [YamuxFramePart]) throws -> [YamuxFrame] {
        var frames: [YamuxFrame] = []
        var current: YamuxFrame?
        for part in parts {
            if part.isFirst {
                #expect(current == nil)
                current = part.frame
                current?.payload = ByteBuffer()
                current?.flags = []
            }
            var payload = part.frame.payload
            current?.payload.writeBuffer(&payload)
            // SYN/ACK only on the first part, FIN/RST only on the last.
            if !part.isFirst { #expect(part.frame.flags.isDisjoint(with: [.syn, .ack])) }
            if !part.isLast { #expect(part.frame.flags.isDisjoint(with: [.fin, .rst])) }
            current?.flags.formUnion(part.frame.flags)
            if part.isLast, let done = current {
                frames.append(YamuxFrame(type: done.type, flags: done.flags, streamID: done.streamID, length: done.length, payload: done.payload))
                current = nil
            }
        }
        #expect(current == nil)
        return frames
    }

    @Test(arguments: [1, 5, 11, 12, 13, 100, 4096])
    func framesSplitAnywhereComeOutWhole(chunk: Int) throws {
        let channel = try Self.channel()
        var input = Self.encoded(Self.frames)
        while input.readableBytes > 0 {
            let slice = input.readSlice(length: min(chunk, input.readableBytes))!
            try channel.writeInbound(slice)
        }
        let parts = try Self.parts(channel)
        #expect(try Self.reassemble(parts) == Self.frames)
        #expect(try channel.finish().isClean)
    }

    @Test func partsOfOneReadAreSlicesNotCopies() throws {
        let channel = try Self.channel()
        let input = Self.encoded(Self.frames)
        try channel.writeInbound(input)
        let parts = try Self.parts(channel)
        #expect(parts.count == Self.frames.count)
        let data = try #require(parts.first { $0.frame.type == .data && $0.frame.payload.readableBytes > 0 })
        // The payload shares the read buffer's storage.
        let sameStorage = data.frame.payload.withUnsafeReadableBytes { payload in
            input.withUnsafeReadableBytes { whole in
                payload.baseAddress! >= whole.baseAddress! && payload.baseAddress! < whole.baseAddress! + whole.count
            }
        }
        #expect(sameStorage)
    }

    @Test func oversizedDataFrameIsRejectedOnItsHeader() throws {
        let channel = try Self.channel(maxDataLength: 1024)
        var header = ByteBuffer()
        YamuxFrame(type: .data, streamID: 1, length: 0).writeHeader(into: &header)
        header.setInteger(UInt32(1025), at: 8)
        #expect(throws: Libp2pError.yamuxProtocolError("data frame of 1025 bytes exceeds the 1024-byte limit")) {
            try channel.writeInbound(header)
        }
    }

    @Test func unknownVersionIsRejected() throws {
        let channel = try Self.channel()
        #expect(throws: Libp2pError.yamuxBadVersion(1)) {
            try channel.writeInbound(ByteBuffer(bytes: [1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]))
        }
    }

    @Test func unknownTypeIsRejectedEvenWhenTheHeaderIsSplit() throws {
        let channel = try Self.channel()
        try channel.writeInbound(ByteBuffer(bytes: [0, 7, 0, 0, 0]))
        #expect(throws: Libp2pError.yamuxBadType(7)) {
            try channel.writeInbound(ByteBuffer(bytes: [0, 0, 0, 1, 0, 0, 0, 0]))
        }
    }
}
