import Foundation
import Testing
@testable import IPFS
import Multiformats

/// Builds CAR bytes with a writer (or by hand) for the reader tests.
func carBytes(roots: [CID], blocks: [Block]) async throws -> [UInt8] {
    var out: [UInt8] = []
    let writer = try await CARWriter(roots: roots) { out += $0 }
    for block in blocks { try await writer.write(block) }
    return out
}

/// A small DAG: root -> two raw leaves.
func smallDAG() -> (root: Block, leaves: [Block]) {
    let leaves = [Block(data: [1, 1, 1], codec: .raw, version: 1), Block(data: [2, 2], codec: .raw, version: 1)]
    let root = dagPBBlock(
        links: leaves.map { DagPBLink(cid: $0.cid, name: "", totalSize: UInt64($0.data.count)) },
        unixfs: UnixFSData(kind: .file, fileSize: 5, blockSizes: [3, 2]))
    return (root, leaves)
}

@Suite("CARReader")
struct CARReaderTests {
    @Test func writerOutputReadsBackBlockForBlock() async throws {
        let (root, leaves) = smallDAG()
        let bytes = try await carBytes(roots: [root.cid], blocks: [root] + leaves)
        let reader = try await CARReader(source: ArrayByteSource(bytes))
        #expect(reader.header == CARHeader(version: 1, roots: [root.cid]))
        var read: [Block] = []
        while let block = try await reader.next() { read.append(block) }
        #expect(read == [root] + leaves)
    }

    @Test func headerMatchesTheIndependentMultiformatsLibrary() async throws {
        // Same header bytes as go-car / js-car: {"roots":[cid],"version":1} in DAG-CBOR.
        let cid = try CID("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi")
        let cbor = CARHeader(roots: [cid]).encodedCBOR()
        #expect(Array(cbor.prefix(8)) == [0xA2, 0x65, 0x72, 0x6F, 0x6F, 0x74, 0x73, 0x81])
        #expect(Array(cbor.suffix(9)) == [0x67, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6F, 0x6E, 0x01])
        #expect(try CARHeader(decodingCBOR: cbor) == CARHeader(version: 1, roots: [cid]))
    }

    @Test func readsTheCARv1PayloadOfACARv2AndSkipsTheIndex() async throws {
        let (root, leaves) = smallDAG()
        let inner = try await carBytes(roots: [root.cid], blocks: [root] + leaves)
        var v2 = CARReader.v2Pragma
        var fixed = [UInt8](repeating: 0, count: 16)  // characteristics
        let dataOffset = UInt64(v2.count + 40 + 5)  // 5 bytes of padding before the payload
        for value in [dataOffset, UInt64(inner.count), dataOffset + UInt64(inner.count)] {
            for shift in stride(from: 0, to: 64, by: 8) { fixed.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }
        v2 += fixed + [0, 0, 0, 0, 0] + inner + [0xDE, 0xAD, 0xBE, 0xEF]  // trailing "index" bytes
        let reader = try await CARReader(source: ArrayByteSource(v2))
        #expect(reader.header == CARHeader(version: 2, roots: [root.cid]))
        var count = 0
        while try await reader.next() != nil { count += 1 }
        #expect(count == 3)
    }

    @Test func blockNotMatchingItsCIDIsRejected() async throws {
        let honest = Block(data: Array("honest".utf8), codec: .raw, version: 1)
        var bytes = try await carBytes(roots: [honest.cid], blocks: [honest])
        bytes[bytes.count - 1] ^= 0xFF
        let reader = try await CARReader(source: ArrayByteSource(bytes))
        await #expect(throws: IPFSError.hashMismatch(cid: honest.cid.description)) { _ = try await reader.next() }
    }

    @Test func truncatedCARIsAnErrorAtEveryCut() async throws {
        let (root, leaves) = smallDAG()
        let bytes = try await carBytes(roots: [root.cid], blocks: [root] + leaves)
        let headerLength = try await { () async throws -> Int in
            let reader = try await CARReader(source: ArrayByteSource(bytes))
            return Int(reader.offset)
        }()
        // Cutting anywhere inside a section must fail; cutting exactly between sections is a shorter CAR.
        var boundaries: Set<Int> = [headerLength]
        var position = headerLength
        for block in [root] + leaves {
            let length = block.cid.bytes.count + block.data.count
            position += Varint.encodedLength(UInt64(length)) + length
            boundaries.insert(position)
        }
        for cut in headerLength ..< bytes.count where !boundaries.contains(cut) {
            await #expect(throws: IPFSError.self, "cut at \(cut)") {
                let reader = try await CARReader(source: ArrayByteSource(Array(bytes.prefix(cut))))
                while try await reader.next() != nil {}
            }
        }
    }

    @Test func hostileHeadersAreRefused() async throws {
        let cases: [[UInt8]] = [
            [],  // empty
            [0x05, 0xA1, 0x61, 0x78, 0x01],  // header too short for its length
            ProtobufWire.lengthPrefixed([0xA1, 0x67] + Array("version".utf8) + [0x03]),  // version 3
            ProtobufWire.lengthPrefixed([0xA1, 0x67] + Array("version".utf8) + [0x01]),  // v1 without roots
            [0xFF, 0xFF, 0xFF, 0xFF, 0x0F],  // absurd header length
        ]
        for bytes in cases {
            await #expect(throws: IPFSError.self, "\(bytes)") { _ = try await CARReader(source: ArrayByteSource(bytes)) }
        }
    }

    @Test func oversizedSectionIsRefusedWithoutAllocatingIt() async throws {
        let (root, _) = smallDAG()
        var bytes = try await carBytes(roots: [root.cid], blocks: [])
        bytes += Varint.encode(1 << 40)
        let reader = try await CARReader(source: ArrayByteSource(bytes))
        await #expect(throws: IPFSError.self) { _ = try await reader.next() }
    }
}
