import FuzzSupport
import Multiformats

// The protobuf wire reader: reads every field (recursing into length-delimited ones as embedded
// messages, as the dag-pb, UnixFS, Bitswap and libp2p decoders do) and re-writes what it read.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProtobuf(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    guard let fields = readAll(bytes[...], depth: 0) else { return 0 }
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
    guard let again = readAll(rewritten[...], depth: 8) else {
        fuzzCheck(false, "re-written message does not read back")
        return 0
    }
    fuzzCheck(again.count == fields.count, "field count \(fields.count) became \(again.count)")
    for (a, b) in zip(fields, again) {
        fuzzCheck(a.field == b.field, "field number changed")
        switch (a.value, b.value) {
        case (.varint(let x), .varint(let y)): fuzzCheck(x == y, "varint changed")
        case (.fixed64(let x), .fixed64(let y)): fuzzCheck(x == y, "fixed64 changed")
        case (.fixed32(let x), .fixed32(let y)): fuzzCheck(x == y, "fixed32 changed")
        case (.lengthDelimited(let x), .lengthDelimited(let y)): fuzzCheck(Array(x) == Array(y), "bytes changed")
        default: fuzzCheck(false, "wire type changed")
        }
    }
    return 0
}

/// Every field of `bytes`, or nil if the message is malformed; embedded messages are read too
/// (their errors ignored: a bytes field need not be a message).
private func readAll(_ bytes: ArraySlice<UInt8>, depth: Int) -> [ProtobufField]? {
    var reader = ProtobufReader(bytes)
    var fields: [ProtobufField] = []
    do {
        while let field = try reader.next() {
            if case .lengthDelimited(let inner) = field.value {
                fuzzCheck(inner.startIndex >= bytes.startIndex && inner.endIndex <= bytes.endIndex, "slice outside input")
                if depth < 8 { _ = readAll(inner, depth: depth + 1) }
                _ = try? ProtobufWire.decodePackedVarints(inner)
            }
            fields.append(field)
        }
    } catch {
        return nil
    }
    fuzzCheck(reader.isAtEnd, "reader stopped before the end without an error")
    return fields
}

@_cdecl("FuzzProtobuf_main")
public func fuzzProtobufMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzProtobuf)
}
