import IPFS
import Multiformats

extension BitswapMessage {
    /// Largest message accepted or produced: 4 MiB, the limit go-bitswap uses.
    public static let defaultMaxMessageSize = 4 << 20

    /// Most wantlist entries, payloads or presences one message may carry.
    public static let maxItemsPerMessage = 65_536

    /// The protobuf encoding (without the length prefix).
    ///
    /// - Parameter legacyBlocks: write blocks as bare bytes (field 2, Bitswap 1.0.0) instead of
    ///   payloads; presences are dropped then, since 1.0.0 has none.
    public func encoded(legacyBlocks: Bool = false) -> [UInt8] {
        var writer = ProtobufWriter()
        if !wantlist.isEmpty || fullWantlist {
            writer.writeMessage(field: 1) { list in
                for entry in wantlist {
                    list.writeMessage(field: 1) { item in
                        item.writeBytes(field: 1, entry.cid.bytes)
                        item.writeVarint(field: 2, UInt64(UInt32(bitPattern: entry.priority)))
                        if entry.cancel { item.writeBool(field: 3, true) }
                        if entry.wantType != .block { item.writeVarint(field: 4, entry.wantType.rawValue) }
                        if entry.sendDontHave { item.writeBool(field: 5, true) }
                    }
                }
                if fullWantlist { list.writeBool(field: 2, true) }
            }
        }
        for payload in payloads {
            if legacyBlocks {
                writer.writeBytes(field: 2, payload.data)
            } else {
                writer.writeMessage(field: 3) { block in
                    block.writeBytes(field: 1, payload.prefix.bytes)
                    block.writeBytes(field: 2, payload.data)
                }
            }
        }
        if !legacyBlocks {
            for presence in presences {
                writer.writeMessage(field: 4) { item in
                    item.writeBytes(field: 1, presence.cid.bytes)
                    item.writeVarint(field: 2, presence.type.rawValue)
                }
            }
        }
        if pendingBytes != 0 { writer.writeVarint(field: 5, UInt64(UInt32(bitPattern: pendingBytes))) }
        return writer.bytes
    }

    /// Decodes a message body (without the length prefix).
    ///
    /// Unknown fields are skipped. Block bytes are not hashed here: `Payload.cid()` does that.
    /// - Throws: `BitswapError.messageTooLarge`, `.malformedMessage` (bad protobuf, wrong wire
    ///   types, too many items), `.invalidCID` (a wantlist or presence CID or a block prefix).
    public init(decoding bytes: ArraySlice<UInt8>, maxSize: Int = BitswapMessage.defaultMaxMessageSize) throws(BitswapError) {
        guard bytes.count <= maxSize else { throw .messageTooLarge(size: bytes.count, limit: maxSize) }
        self.init()
        var reader = ProtobufReader(bytes)
        while let field = try Self.next(&reader, "message") {
            switch (field.field, field.value) {
            case (1, .lengthDelimited(let body)):
                try decodeWantlist(body)
            case (2, .lengthDelimited(let data)):
                try Self.checkCount(payloads.count)
                let prefix = CIDPrefix(version: .v0, codec: Multicodec.dagPB.rawValue, hashFunction: Multicodec.sha2_256.rawValue, digestLength: 32)
                payloads.append(Payload(prefix: prefix, data: Array(data)))
            case (3, .lengthDelimited(let body)):
                try Self.checkCount(payloads.count)
                payloads.append(try Self.decodePayload(body))
            case (4, .lengthDelimited(let body)):
                try Self.checkCount(presences.count)
                presences.append(try Self.decodePresence(body))
            case (5, .varint(let value)):
                pendingBytes = Int32(truncatingIfNeeded: value)
            case (1 ... 5, _):
                throw .malformedMessage("field \(field.field) has the wrong wire type")
            default:
                continue
            }
        }
    }

    /// Decodes a message body held in an array.
    public init(decoding bytes: [UInt8], maxSize: Int = BitswapMessage.defaultMaxMessageSize) throws(BitswapError) {
        try self.init(decoding: bytes[...], maxSize: maxSize)
    }

    private mutating func decodeWantlist(_ body: ArraySlice<UInt8>) throws(BitswapError) {
        var reader = ProtobufReader(body)
        while let field = try Self.next(&reader, "wantlist") {
            switch (field.field, field.value) {
            case (1, .lengthDelimited(let entry)):
                try Self.checkCount(wantlist.count)
                wantlist.append(try Self.decodeEntry(entry))
            case (2, .varint(let value)):
                fullWantlist = value != 0
            case (1 ... 2, _):
                throw .malformedMessage("wantlist field \(field.field) has the wrong wire type")
            default:
                continue
            }
        }
    }

    private static func decodeEntry(_ body: ArraySlice<UInt8>) throws(BitswapError) -> Entry {
        var reader = ProtobufReader(body)
        var cid: CID?
        var entry = (priority: Int32(1), cancel: false, wantType: WantType.block, sendDontHave: false)
        while let field = try next(&reader, "wantlist entry") {
            switch (field.field, field.value) {
            case (1, .lengthDelimited(let bytes)):
                cid = try decodeCID(bytes, "wantlist entry")
            case (2, .varint(let value)):
                entry.priority = Int32(truncatingIfNeeded: value)
            case (3, .varint(let value)):
                entry.cancel = value != 0
            case (4, .varint(let value)):
                guard let type = WantType(rawValue: value) else { throw .malformedMessage("unknown want type \(value)") }
                entry.wantType = type
            case (5, .varint(let value)):
                entry.sendDontHave = value != 0
            case (1 ... 5, _):
                throw .malformedMessage("wantlist entry field \(field.field) has the wrong wire type")
            default:
                continue
            }
        }
        guard let cid else { throw .invalidCID("wantlist entry without a CID") }
        return Entry(cid: cid, priority: entry.priority, cancel: entry.cancel, wantType: entry.wantType, sendDontHave: entry.sendDontHave)
    }

    private static func decodePayload(_ body: ArraySlice<UInt8>) throws(BitswapError) -> Payload {
        var reader = ProtobufReader(body)
        var prefix: CIDPrefix?
        var data: [UInt8] = []
        while let field = try next(&reader, "block") {
            switch (field.field, field.value) {
            case (1, .lengthDelimited(let bytes)):
                prefix = try CIDPrefix(bytes: bytes)
            case (2, .lengthDelimited(let bytes)):
                data = Array(bytes)
            case (1 ... 2, _):
                throw .malformedMessage("block field \(field.field) has the wrong wire type")
            default:
                continue
            }
        }
        guard let prefix else { throw .invalidCID("block without a CID prefix") }
        return Payload(prefix: prefix, data: data)
    }

    private static func decodePresence(_ body: ArraySlice<UInt8>) throws(BitswapError) -> Presence {
        var reader = ProtobufReader(body)
        var cid: CID?
        var type = PresenceType.have
        while let field = try next(&reader, "block presence") {
            switch (field.field, field.value) {
            case (1, .lengthDelimited(let bytes)):
                cid = try decodeCID(bytes, "block presence")
            case (2, .varint(let value)):
                guard let parsed = PresenceType(rawValue: value) else { throw .malformedMessage("unknown presence type \(value)") }
                type = parsed
            case (1 ... 2, _):
                throw .malformedMessage("block presence field \(field.field) has the wrong wire type")
            default:
                continue
            }
        }
        guard let cid else { throw .invalidCID("block presence without a CID") }
        return Presence(cid: cid, type: type)
    }

    private static func decodeCID(_ bytes: ArraySlice<UInt8>, _ context: String) throws(BitswapError) -> CID {
        do {
            return try CID(bytes: bytes)
        } catch {
            throw .invalidCID("\(context): \(error)")
        }
    }

    private static func next(_ reader: inout ProtobufReader, _ context: String) throws(BitswapError) -> ProtobufField? {
        do {
            return try reader.next()
        } catch {
            throw .malformedMessage("\(context): \(error)")
        }
    }

    private static func checkCount(_ count: Int) throws(BitswapError) {
        guard count < maxItemsPerMessage else { throw .malformedMessage("more than \(maxItemsPerMessage) items in one message") }
    }
}
