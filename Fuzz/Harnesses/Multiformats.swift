import Multiformats

extension Harness {
    /// Both varint decoders (multiformats: minimal, at most 9 bytes; protobuf: up to 10 bytes,
    /// lax), with round trips where decoding succeeds.
    public static func varint(_ bytes: [UInt8]) throws {
        if let (value, length) = try? Varint.decode(bytes) {
            try fuzzCheck(length >= 1 && length <= Varint.maxLength && length <= bytes.count, "length \(length) of \(bytes.count)")
            try fuzzCheck(value <= Varint.maxValue, "value \(value) above maxValue")
            // Minimal encodings only, so the bytes read are exactly the encoding of the value.
            let encoded = Varint.encode(value)
            try fuzzCheck(encoded == Array(bytes.prefix(length)), "multiformats varint \(value) re-encodes differently")
            try fuzzCheck(Varint.encodedLength(value) == length, "encodedLength(\(value)) != \(length)")
        }
        // Decoding from a slice with a non-zero start index must give the same answer.
        if bytes.count > 1 {
            let shifted = bytes[1...]
            let direct = try? Varint.decode(Array(shifted))
            let sliced = try? Varint.decode(shifted)
            try fuzzCheck(direct?.value == sliced?.value && direct?.length == sliced?.length, "slice decode differs")
        }

        if let (value, length) = try? ProtobufWire.decodeVarint(bytes[...]) {
            try fuzzCheck(length >= 1 && length <= 10 && length <= bytes.count, "protobuf varint length \(length)")
            // Protobuf accepts non-minimal forms, so compare values, not bytes.
            let again = try? ProtobufWire.decodeVarint(Varint.encode(value)[...])
            try fuzzCheck(again?.value == value, "protobuf varint \(value) does not round-trip")
        }
        if let values = try? ProtobufWire.decodePackedVarints(bytes[...]) {
            var packed: [UInt8] = []
            for value in values { Varint.encode(value, into: &packed) }
            try fuzzCheck((try? ProtobufWire.decodePackedVarints(packed[...])) == values, "packed varints do not round-trip")
        }
    }

    /// Multibase text decoding in every base; what decodes must re-encode and decode to the same bytes.
    public static func multibase(_ bytes: [UInt8]) throws {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let (base, decoded) = try? Multibase.decode(text) else { return }
        let encoded = Multibase.encode(decoded, as: base)
        try fuzzCheck(encoded.first == base.prefix, "prefix \(base.prefix) lost")
        guard let (againBase, again) = try? Multibase.decode(encoded) else {
            throw FuzzInvariantFailure(message: "\(base.name): own encoding \(encoded.debugDescription) does not decode", file: #fileID, line: #line)
        }
        try fuzzCheck(againBase == base, "base changed from \(base.name) to \(againBase.name)")
        try fuzzCheck(again == decoded, "\(base.name): bytes change through encode/decode")
    }

    /// CIDs from bytes (whole and as a prefix, as CAR and dag-pb read them) and from text, with round trips.
    public static func cid(_ bytes: [UInt8]) throws {
        if let cid = try? CID(bytes: bytes) {
            try fuzzCheck(cid.bytes == bytes, "binary CID re-encodes differently")
            try checkText(cid)
        }
        if let (cid, length) = try? CID.decodePrefix(from: bytes[...]) {
            try fuzzCheck(length >= 1 && length <= bytes.count, "prefix length \(length) of \(bytes.count)")
            try fuzzCheck(cid.bytes == Array(bytes.prefix(length)), "prefix CID re-encodes differently")
            // A slice with a non-zero start index, as readers pass, must decode the same.
            var padded: [UInt8] = [0xFF]
            padded.append(contentsOf: bytes)
            let again = try? CID.decodePrefix(from: padded[1...])
            try fuzzCheck(again?.0 == cid && again?.length == length, "slice decode differs")
        }

        let text = String(decoding: bytes, as: UTF8.self)
        if let cid = try? CID(text) {
            try checkText(cid)
            try fuzzCheck((try? CID(bytes: cid.bytes)) == cid, "text CID's bytes do not decode back")
        }
    }

    /// The canonical text and every base's text parse back to the same CID.
    private static func checkText(_ cid: CID) throws {
        // Text past the parser's length bound is refused by design (huge identity multihashes).
        func fits(_ text: String) -> Bool { text.utf8.count <= CID.maxStringLength }
        if fits(cid.description) {
            try fuzzCheck((try? CID(cid.description)) == cid, "description \(cid.description) does not parse back")
        }
        for base in Multibase.allCases {
            let text = cid.string(base: base)
            guard fits(text) else { continue }
            let parsed = try? CID(text)
            let expected = (cid.version == .v0 && base != .base58btc) ? cid.toV1() : cid
            try fuzzCheck(parsed == expected, "\(base.name) text \(text) does not parse back")
        }
    }

    /// Multiaddrs from bytes and from text, with round trips between the two forms.
    public static func multiaddr(_ bytes: [UInt8]) throws {
        if let address = try? Multiaddr(bytes: bytes) {
            try fuzzCheck(address.bytes == bytes, "binary multiaddr re-encodes differently")
            try checkMultiaddr(address)
        }
        let text = String(decoding: bytes, as: UTF8.self)
        if let address = try? Multiaddr(text) {
            try checkMultiaddr(address)
        }
    }

    private static func checkMultiaddr(_ address: Multiaddr) throws {
        // Either form past maxStringLength is refused by design, so only shorter ones must round-trip.
        let binary = address.bytes
        if binary.count <= Multiaddr.maxStringLength {
            let fromBytes = try? Multiaddr(bytes: binary)
            try fuzzCheck(fromBytes == address || address.components.isEmpty, "bytes of \(address) do not decode back")
        }
        let text = address.description
        if text.utf8.count <= Multiaddr.maxStringLength {
            let fromText = try? Multiaddr(text)
            try fuzzCheck(fromText == address, "text \(text.debugDescription) does not parse back")
        }
        // The convenience views must not trap on anything that parsed.
        _ = address.peerID
        _ = address.withoutPeerID
        _ = address.tcpHostPort
        _ = address.udpHostPort
        for component in address.components {
            _ = component.textValue
            _ = component.valueBytes
        }
    }

    /// The protobuf wire reader: reads every field (recursing into length-delimited ones as
    /// embedded messages, as the dag-pb, UnixFS, Bitswap and libp2p decoders do) and re-writes
    /// what it read.
    public static func protobuf(_ bytes: [UInt8]) throws {
        guard let fields = try readAllFields(bytes[...], depth: 0) else { return }
        // Re-writing the fields gives a message that reads back as the same fields.
        var writer = ProtobufWriter()
        for field in fields {
            switch field.value {
            case .varint(let value): writer.writeVarint(field: field.field, value)
            case .fixed64(let value): writer.writeFixed64(field: field.field, value)
            case .fixed32(let value): writer.writeFixed32(field: field.field, value)
            case .lengthDelimited(let value): writer.writeBytes(field: field.field, value)
            }
        }
        let rewritten = writer.bytes
        guard let again = try readAllFields(rewritten[...], depth: 8) else {
            throw FuzzInvariantFailure(message: "re-written message does not read back", file: #fileID, line: #line)
        }
        try fuzzCheck(again.count == fields.count, "field count \(fields.count) became \(again.count)")
        for (a, b) in zip(fields, again) {
            try fuzzCheck(a.field == b.field, "field number changed")
            switch (a.value, b.value) {
            case (.varint(let x), .varint(let y)): try fuzzCheck(x == y, "varint changed")
            case (.fixed64(let x), .fixed64(let y)): try fuzzCheck(x == y, "fixed64 changed")
            case (.fixed32(let x), .fixed32(let y)): try fuzzCheck(x == y, "fixed32 changed")
            case (.lengthDelimited(let x), .lengthDelimited(let y)): try fuzzCheck(Array(x) == Array(y), "bytes changed")
            default: try fuzzCheck(false, "wire type changed")
            }
        }
    }

    /// Every field of `bytes`, or nil if the message is malformed; embedded messages are read too
    /// (their errors ignored: a bytes field need not be a message).
    private static func readAllFields(_ bytes: ArraySlice<UInt8>, depth: Int) throws -> [ProtobufField]? {
        var reader = ProtobufReader(bytes)
        var fields: [ProtobufField] = []
        while true {
            let next: ProtobufField?
            do { next = try reader.next() } catch { return nil }
            guard let field = next else { break }
            if case .lengthDelimited(let inner) = field.value {
                try fuzzCheck(inner.startIndex >= bytes.startIndex && inner.endIndex <= bytes.endIndex, "slice outside input")
                if depth < 8 { _ = try readAllFields(inner, depth: depth + 1) }
                _ = try? ProtobufWire.decodePackedVarints(inner)
            }
            fields.append(field)
        }
        try fuzzCheck(reader.isAtEnd, "reader stopped before the end without an error")
        return fields
    }
}
