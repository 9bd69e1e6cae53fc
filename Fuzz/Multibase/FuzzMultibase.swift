import FuzzSupport
import Multiformats

// Multibase text decoding in every base; what decodes must re-encode and decode to the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultibase(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    guard let (base, decoded) = try? Multibase.decode(text) else { return 0 }
    let encoded = Multibase.encode(decoded, as: base)
    fuzzCheck(encoded.first == base.prefix, "prefix \(base.prefix) lost")
    guard let (againBase, again) = try? Multibase.decode(encoded) else {
        fuzzCheck(false, "\(base.name): own encoding \(encoded.debugDescription) does not decode")
        return 0
    }
    fuzzCheck(againBase == base, "base changed from \(base.name) to \(againBase.name)")
    fuzzCheck(again == decoded, "\(base.name): bytes change through encode/decode")
    return 0
}

@_cdecl("FuzzMultibase_main")
public func fuzzMultibaseMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzMultibase)
}
