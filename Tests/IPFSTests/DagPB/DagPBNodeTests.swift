import Testing
@testable import IPFS
import Multiformats

@Suite("DagPBNode")
struct DagPBNodeTests {
    @Test func encodesLinksBeforeDataAndRoundTrips() throws {
        let child = Block(data: [1, 2, 3], codec: .raw, version: 1)
        let node = DagPBNode(links: [DagPBLink(cid: child.cid, name: "a", totalSize: 3)], data: [8, 1])
        let bytes = node.encoded()
        #expect(bytes.first == 0x12)  // field 2 (Links), wire type 2
        #expect(Array(bytes.suffix(4)) == [0x0A, 0x02, 0x08, 0x01])  // field 1 (Data) last
        #expect(try DagPBNode(decoding: bytes) == node)
    }

    @Test func emptyDirectoryMatchesTheWellKnownCID() {
        let bytes = DagPBNode(links: [], data: UnixFSData(kind: .directory).encoded()).encoded()
        let block = Block(data: bytes, codec: .dagPB, version: 0)
        #expect(block.cid.description == "QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn")
    }

    @Test func rejectsDataBeforeLinks() {
        var writer = ProtobufWriter()
        writer.writeBytes(field: 1, [8, 1])
        writer.writeMessage(field: 2) { $0.writeBytes(field: 1, Block(data: [1], codec: .raw, version: 1).cid.bytes) }
        #expect(throws: IPFSError.invalidDagPB("a link follows the data field")) {
            _ = try DagPBNode(decoding: writer.bytes)
        }
    }

    @Test func rejectsUnknownFieldsAndLinksWithoutHash() {
        var unknown = ProtobufWriter()
        unknown.writeVarint(field: 3, 1)
        #expect(throws: IPFSError.self) { _ = try DagPBNode(decoding: unknown.bytes) }
        var noHash = ProtobufWriter()
        noHash.writeMessage(field: 2) { $0.writeString(field: 2, "name") }
        #expect(throws: IPFSError.invalidDagPB("link without a hash")) { _ = try DagPBNode(decoding: noHash.bytes) }
    }

    @Test func rejectsTruncatedAndGarbageInput() throws {
        let child = Block(data: [1], codec: .raw, version: 1)
        let bytes = DagPBNode(links: [DagPBLink(cid: child.cid, name: "x", totalSize: 1)], data: [8, 2]).encoded()
        // Cutting right after the link is a valid node without data; every other cut is malformed.
        let linkEnd = bytes.count - 4
        for cut in 1 ..< bytes.count where cut != linkEnd {
            #expect(throws: IPFSError.self, "cut at \(cut)") { _ = try DagPBNode(decoding: bytes.prefix(cut)) }
        }
        #expect(try DagPBNode(decoding: bytes.prefix(linkEnd)).data == nil)
        #expect(throws: IPFSError.self) { _ = try DagPBNode(decoding: [0xFF, 0xFF, 0xFF]) }
    }
}
