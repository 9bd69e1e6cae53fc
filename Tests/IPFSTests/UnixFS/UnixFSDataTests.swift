import Testing
@testable import IPFS

@Suite("UnixFSData")
struct UnixFSDataTests {
    @Test func fileNodeEncodingIsKuboByteForByte() {
        // kubo's empty file node: Type=File, filesize=0 (the well-known QmbFMke1... block data).
        #expect(UnixFSData(kind: .file, fileSize: 0).encoded() == [0x08, 0x02, 0x18, 0x00])
        let interior = UnixFSData(kind: .file, fileSize: 300, blockSizes: [200, 100])
        #expect(interior.encoded() == [0x08, 0x02, 0x18, 0xAC, 0x02, 0x20, 0xC8, 0x01, 0x20, 0x64])
    }

    @Test func decodesPackedAndUnpackedBlockSizes() throws {
        let unpacked = try UnixFSData(decoding: [0x08, 0x02, 0x18, 0x03, 0x20, 0x01, 0x20, 0x02])
        #expect(unpacked.blockSizes == [1, 2])
        let packed = try UnixFSData(decoding: [0x08, 0x02, 0x18, 0x03, 0x22, 0x02, 0x01, 0x02])
        #expect(packed.blockSizes == [1, 2])
    }

    @Test func rejectsMissingOrUnknownType() {
        #expect(throws: IPFSError.invalidUnixFS("missing type")) { _ = try UnixFSData(decoding: [0x18, 0x00]) }
        #expect(throws: IPFSError.invalidUnixFS("unknown type 9")) { _ = try UnixFSData(decoding: [0x08, 0x09]) }
    }
}
