import FuzzSupport
import Multiformats

// Both varint decoders (multiformats: minimal, at most 9 bytes; protobuf: up to 10 bytes, lax),
// with round trips where decoding succeeds.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVarint(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)

    if let (value, length) = try? Varint.decode(bytes) {
        fuzzCheck(length >= 1 && length <= Varint.maxLength && length <= bytes.count, "length \(length) of \(bytes.count)")
        fuzzCheck(value <= Varint.maxValue, "value \(value) above maxValue")
        // Minimal encodings only, so the bytes read are exactly the encoding of the value.
        let encoded = Varint.encode(value)
        fuzzCheck(encoded == Array(bytes.prefix(length)), "multiformats varint \(value) re-encodes differently")
        fuzzCheck(Varint.encodedLength(value) == length, "encodedLength(\(value)) != \(length)")
    }
    // Decoding from a slice with a non-zero start index must give the same answer.
    if bytes.count > 1 {
        let shifted = bytes[1...]
        let direct = try? Varint.decode(Array(shifted))
        let sliced = try? Varint.decode(shifted)
        fuzzCheck(direct?.value == sliced?.value && direct?.length == sliced?.length, "slice decode differs")
    }

    if let (value, length) = try? ProtobufWire.decodeVarint(bytes[...]) {
        fuzzCheck(length >= 1 && length <= 10 && length <= bytes.count, "protobuf varint length \(length)")
        // Protobuf accepts non-minimal forms, so compare values, not bytes.
        let again = try? ProtobufWire.decodeVarint(Varint.encode(value)[...])
        fuzzCheck(again?.value == value, "protobuf varint \(value) does not round-trip")
    }
    if let values = try? ProtobufWire.decodePackedVarints(bytes[...]) {
        var packed: [UInt8] = []
        for value in values { Varint.encode(value, into: &packed) }
        fuzzCheck((try? ProtobufWire.decodePackedVarints(packed[...])) == values, "packed varints do not round-trip")
    }
    return 0
}

@_cdecl("FuzzVarint_main")
public func fuzzVarintMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzVarint)
}
