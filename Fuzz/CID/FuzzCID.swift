import FuzzSupport
import Multiformats

// CIDs from bytes (whole and as a prefix, as CAR and dag-pb read them) and from text, with round trips.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCID(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)

    if let cid = try? CID(bytes: bytes) {
        fuzzCheck(cid.bytes == bytes, "binary CID re-encodes differently")
        checkText(cid)
    }
    if let (cid, length) = try? CID.decodePrefix(from: bytes[...]) {
        fuzzCheck(length >= 1 && length <= bytes.count, "prefix length \(length) of \(bytes.count)")
        fuzzCheck(cid.bytes == Array(bytes.prefix(length)), "prefix CID re-encodes differently")
        // A slice with a non-zero start index, as readers pass, must decode the same.
        var padded: [UInt8] = [0xFF]
        padded.append(contentsOf: bytes)
        let again = try? CID.decodePrefix(from: padded[1...])
        fuzzCheck(again?.0 == cid && again?.length == length, "slice decode differs")
    }

    let text = String(decoding: bytes, as: UTF8.self)
    if let cid = try? CID(text) {
        checkText(cid)
        fuzzCheck((try? CID(bytes: cid.bytes)) == cid, "text CID's bytes do not decode back")
    }
    return 0
}

/// The canonical text and every base's text parse back to the same CID.
private func checkText(_ cid: CID) {
    // Text past the parser's length bound is refused by design (huge identity multihashes).
    func fits(_ text: String) -> Bool { text.utf8.count <= CID.maxStringLength }
    if fits(cid.description) {
        fuzzCheck((try? CID(cid.description)) == cid, "description \(cid.description) does not parse back")
    }
    for base in Multibase.allCases {
        let text = cid.string(base: base)
        guard fits(text) else { continue }
        let parsed = try? CID(text)
        let expected = (cid.version == .v0 && base != .base58btc) ? cid.toV1() : cid
        fuzzCheck(parsed == expected, "\(base.name) text \(text) does not parse back")
    }
}

@_cdecl("FuzzCID_main")
public func fuzzCIDMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzCID)
}
