import FuzzSupport
import StationConfig

// The TOML parser on raw bytes (its documented promise: hostile input gives a TOMLError, never a trap).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTOML(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    do {
        let document = try TOMLDocument(bytes: bytes, file: "fuzz.toml")
        // Parsing the same bytes again gives the same keys (no hidden state between parses).
        let again = try? TOMLDocument(bytes: bytes, file: "fuzz.toml")
        fuzzCheck(again != nil, "second parse of the same bytes failed")
        _ = document.root
    } catch {
        // Every error must render as a message (file:line:column: ...).
        fuzzCheck(!"\(error)".isEmpty, "empty error message")
    }
    return 0
}

@_cdecl("FuzzTOML_main")
public func fuzzTOMLMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzTOML)
}
