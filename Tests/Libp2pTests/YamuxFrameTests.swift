import NIOCore
import Testing
@testable import Libp2p

@Suite struct YamuxFrameTests {
    @Test func encodesHeaderBigEndian() {
        var buffer = ByteBuffer()
        YamuxFrame(type: .windowUpdate, flags: [.syn, .ack], streamID: 0x0102_0304, length: 0x0A0B_0C0D).encode(into: &buffer)
        #expect(Array(buffer.readableBytesView) == [0, 1, 0, 3, 1, 2, 3, 4, 0x0A, 0x0B, 0x0C, 0x0D])
    }

    @Test func roundTripsDataFramesAcrossPartialInput() throws {
        var encoded = ByteBuffer()
        let frame = YamuxFrame(type: .data, flags: .fin, streamID: 7, payload: ByteBuffer(bytes: Array(0 ..< 100)))
        frame.encode(into: &encoded)
        YamuxFrame(type: .ping, flags: .syn, streamID: 0, length: 42).encode(into: &encoded)
        let bytes = Array(encoded.readableBytesView)
        let decoder = YamuxFrameDecoder()
        var input = ByteBuffer()
        var frames: [YamuxFrame] = []
        for byte in bytes {
            input.writeInteger(byte)
            while let decoded = try decoder.decode(&input) { frames.append(decoded) }
        }
        #expect(frames.count == 2)
        #expect(frames.first == frame)
        #expect(frames.last?.type == .ping)
        #expect(frames.last?.length == 42)
    }

    @Test func rejectsBadVersionTypeAndHugeLength() {
        let decoder = YamuxFrameDecoder(maxDataLength: 1024)
        var badVersion = ByteBuffer(bytes: [1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0])
        #expect(throws: Libp2pError.yamuxBadVersion(1)) { try decoder.decode(&badVersion) }
        var badType = ByteBuffer(bytes: [0, 9, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0])
        #expect(throws: Libp2pError.yamuxBadType(9)) { try decoder.decode(&badType) }
        var huge = ByteBuffer(bytes: [0, 0, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: Libp2pError.self) { try decoder.decode(&huge) }
    }
}
