import NIOCore
import Testing
@testable import Libp2p

@Suite struct MultistreamCodecTests {
    @Test func encodesWithVarintLengthAndNewline() {
        #expect(MultistreamCodec.encode("/noise") == [7] + Array("/noise\n".utf8))
    }

    @Test func decodesWholeAndPartialMessages() throws {
        var buffer = ByteBuffer(bytes: MultistreamCodec.encode("/multistream/1.0.0") + MultistreamCodec.encode("na"))
        #expect(try MultistreamCodec.decode(&buffer) == "/multistream/1.0.0")
        #expect(try MultistreamCodec.decode(&buffer) == "na")
        #expect(try MultistreamCodec.decode(&buffer) == nil)
        var partial = ByteBuffer(bytes: Array(MultistreamCodec.encode("/yamux/1.0.0").prefix(5)))
        #expect(try MultistreamCodec.decode(&partial) == nil)
        #expect(partial.readableBytes == 5)
    }

    @Test func rejectsTooLongMissingNewlineAndBadPrefix() {
        var long = ByteBuffer(bytes: [0xFF, 0x7F])
        #expect(throws: Libp2pError.multistreamLineTooLong(16383)) { try MultistreamCodec.decode(&long) }
        var noNewline = ByteBuffer(bytes: [3] + Array("abc".utf8))
        #expect(throws: Libp2pError.self) { try MultistreamCodec.decode(&noNewline) }
        var endlessVarint = ByteBuffer(bytes: [UInt8](repeating: 0x80, count: 12))
        #expect(throws: Libp2pError.self) { try MultistreamCodec.decode(&endlessVarint) }
        var invalidUTF8 = ByteBuffer(bytes: [3, 0xFF, 0xFE, 0x0A])
        #expect(throws: Libp2pError.self) { try MultistreamCodec.decode(&invalidUTF8) }
    }
}
