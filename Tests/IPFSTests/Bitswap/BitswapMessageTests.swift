@testable import Bitswap
import Multiformats
import Testing
@testable import IPFS

/// The Bitswap message codec, without sockets: round trips and hostile input.
struct BitswapMessageTests {
    private let dagBlock = Block(data: Array("a dag-pb-ish block".utf8), codec: .dagPB, version: 0)
    private let rawBlock = Block(data: Array("raw bytes".utf8), codec: .raw, version: 1)

    @Test func fullMessageRoundTrips() throws {
        let message = BitswapMessage(
            wantlist: [
                .init(cid: dagBlock.cid, priority: 7, wantType: .have, sendDontHave: true),
                .init(cid: rawBlock.cid, priority: -3, cancel: true),
            ],
            fullWantlist: true,
            payloads: [
                .init(prefix: CIDPrefix(of: dagBlock.cid), data: dagBlock.data),
                .init(prefix: CIDPrefix(of: rawBlock.cid), data: rawBlock.data),
            ],
            presences: [.init(cid: rawBlock.cid, type: .dontHave), .init(cid: dagBlock.cid, type: .have)],
            pendingBytes: 12345)
        let decoded = try BitswapMessage(decoding: message.encoded())
        #expect(decoded == message)
        #expect(try decoded.payloads.map { try $0.cid() } == [dagBlock.cid, rawBlock.cid])
    }

    @Test func defaultsAreLeftOutAndReadBack() throws {
        let message = BitswapMessage(wantlist: [.init(cid: rawBlock.cid)])
        let decoded = try BitswapMessage(decoding: message.encoded())
        #expect(decoded.wantlist.first?.wantType == .block)
        #expect(decoded.wantlist.first?.cancel == false)
        #expect(decoded.wantlist.first?.sendDontHave == false)
        #expect(decoded.wantlist.first?.priority == 1)
        #expect(decoded.fullWantlist == false)
        #expect(BitswapMessage().encoded().isEmpty)
    }

    @Test func legacyBlocksAreBareBytesNamedAsCIDv0() throws {
        let message = BitswapMessage(
            payloads: [.init(prefix: CIDPrefix(of: dagBlock.cid), data: dagBlock.data)],
            presences: [.init(cid: dagBlock.cid, type: .have)])
        let decoded = try BitswapMessage(decoding: message.encoded(legacyBlocks: true))
        #expect(decoded.presences.isEmpty)
        #expect(try decoded.payloads.map { try $0.cid() } == [dagBlock.cid])
    }

    @Test func prefixRoundTripsAndNamesBytes() throws {
        for cid in [dagBlock.cid, rawBlock.cid, CID.v1(codec: .dagCBOR, multihash: .sha512(Array("x".utf8)))] {
            let prefix = CIDPrefix(of: cid)
            #expect(try CIDPrefix(bytes: prefix.bytes[...]) == prefix)
        }
        #expect(try CIDPrefix(of: rawBlock.cid).cid(for: rawBlock.data) == rawBlock.cid)
        #expect(try CIDPrefix(of: rawBlock.cid).cid(for: Array("other".utf8)) != rawBlock.cid)
    }

    @Test func framingPrefixesTheLength() throws {
        let message = BitswapMessage(wantlist: [.init(cid: rawBlock.cid)])
        let framed = BitswapFraming.frame(message)
        let (length, used) = try Varint.decode(framed)
        #expect(Int(length) == framed.count - used)
        #expect(try BitswapMessage(decoding: Array(framed[used...])) == message)
    }

    // MARK: Hostile input

    @Test func truncatedMessagesAreRefused() throws {
        // Each message is one top-level field, so every cut ends inside it.
        let messages = [
            BitswapMessage(wantlist: [.init(cid: rawBlock.cid), .init(cid: dagBlock.cid, cancel: true)]),
            BitswapMessage(payloads: [.init(prefix: CIDPrefix(of: rawBlock.cid), data: rawBlock.data)]),
            BitswapMessage(presences: [.init(cid: dagBlock.cid, type: .dontHave)]),
        ]
        for bytes in messages.map({ $0.encoded() }) {
            for cut in 1 ..< bytes.count {
                #expect(throws: BitswapError.self) { try BitswapMessage(decoding: Array(bytes[..<cut])) }
            }
        }
    }

    @Test func oversizedMessagesAreRefusedBeforeDecoding() {
        let big = BitswapMessage(payloads: [.init(prefix: CIDPrefix(of: rawBlock.cid), data: [UInt8](repeating: 1, count: 4 << 20))]).encoded()
        #expect(throws: BitswapError.messageTooLarge(size: big.count, limit: BitswapMessage.defaultMaxMessageSize)) {
            try BitswapMessage(decoding: big)
        }
        #expect(throws: BitswapError.messageTooLarge(size: 101, limit: 100)) {
            try BitswapMessage(decoding: [UInt8](repeating: 0, count: 101), maxSize: 100)
        }
    }

    @Test func badCIDsAreRefused() throws {
        func wantlist(cidBytes: [UInt8]) -> [UInt8] {
            var writer = ProtobufWriter()
            writer.writeMessage(field: 1) { list in
                list.writeMessage(field: 1) { entry in entry.writeBytes(field: 1, cidBytes) }
            }
            return writer.bytes
        }
        var truncatedCID = rawBlock.cid.bytes
        truncatedCID.removeLast()
        for bad in [truncatedCID, [0x02, 0x55, 0x12, 0x20] + [UInt8](repeating: 0, count: 32), [0xFF], []] {
            #expect(throws: BitswapError.self) { try BitswapMessage(decoding: wantlist(cidBytes: bad)) }
        }
        do {
            _ = try BitswapMessage(decoding: wantlist(cidBytes: truncatedCID))
            Issue.record("a truncated CID was accepted")
        } catch {
            guard case .invalidCID = error else { Issue.record("wrong error \(error)"); return }
            #expect(error.description.contains("invalid CID"))
        }

        var presence = ProtobufWriter()
        presence.writeMessage(field: 4) { item in
            item.writeBytes(field: 1, [0x12, 0x20, 0x01])
            item.writeVarint(field: 2, 1)
        }
        #expect(throws: BitswapError.self) { try BitswapMessage(decoding: presence.bytes) }
    }

    @Test func badBlockPrefixesAreRefused() throws {
        func payload(prefix: [UInt8]) -> [UInt8] {
            var writer = ProtobufWriter()
            writer.writeMessage(field: 3) { block in
                block.writeBytes(field: 1, prefix)
                block.writeBytes(field: 2, [1, 2, 3])
            }
            return writer.bytes
        }
        // Version 7, a truncated varint, trailing bytes, a huge digest length.
        for bad: [UInt8] in [[0x07, 0x55, 0x12, 0x20], [0x01, 0x55, 0x12], [0x01, 0x55, 0x12, 0x20, 0x00], [0x01, 0x55, 0x12, 0xFF, 0xFF, 0x03]] {
            #expect(throws: BitswapError.self) { try BitswapMessage(decoding: payload(prefix: bad)) }
        }
        // A decodable prefix that cannot name bytes: identity hash, CIDv0 with a raw codec.
        let identity = try BitswapMessage(decoding: payload(prefix: [0x01, 0x55, 0x00, 0x03]))
        #expect(throws: BitswapError.self) { try identity.payloads.first?.cid() }
        let v0Raw = try BitswapMessage(decoding: payload(prefix: [0x00, 0x55, 0x12, 0x20]))
        #expect(throws: BitswapError.self) { try v0Raw.payloads.first?.cid() }
    }

    @Test func wrongWireTypesAndUnknownEnumsAreRefused() {
        var wrongType = ProtobufWriter()
        wrongType.writeVarint(field: 1, 5)   // wantlist must be a message
        #expect(throws: BitswapError.self) { try BitswapMessage(decoding: wrongType.bytes) }

        var unknownWant = ProtobufWriter()
        unknownWant.writeMessage(field: 1) { list in
            list.writeMessage(field: 1) { entry in
                entry.writeBytes(field: 1, rawBlock.cid.bytes)
                entry.writeVarint(field: 4, 9)
            }
        }
        #expect(throws: BitswapError.malformedMessage("unknown want type 9")) { try BitswapMessage(decoding: unknownWant.bytes) }
    }

    @Test func unknownFieldsAreSkipped() throws {
        var writer = ProtobufWriter()
        writer.writeBytes(field: 9, [1, 2, 3])
        writer.writeMessage(field: 4) { item in
            item.writeBytes(field: 1, rawBlock.cid.bytes)
            item.writeVarint(field: 7, 1)
        }
        let decoded = try BitswapMessage(decoding: writer.bytes)
        #expect(decoded.presences == [.init(cid: rawBlock.cid, type: .have)])
    }
}
