import FuzzSupport
import WasmParser
import WAT

// WasmKit's WAT text compiler (used by tests and `station` tooling to build modules from text):
// whatever it accepts must come out as a binary that WasmKit's own parser reads to the end.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWAT(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    guard let wasm = try? wat2wasm(text) else { return 0 }
    fuzzCheck(wasm.count >= 8 && Array(wasm.prefix(4)) == [0x00, 0x61, 0x73, 0x6D], "no wasm header")
    var parser = WasmParser.Parser(bytes: wasm)
    do {
        while try parser.parseNext() != nil {}
    } catch {
        fuzzCheck(false, "wat2wasm output does not parse: \(error)")
    }
    return 0
}

@_cdecl("FuzzWAT_main")
public func fuzzWATMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzWAT)
}
