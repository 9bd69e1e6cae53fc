import FuzzSupport
import Foundation
import Sandbox
import WasmParser

// WebAssembly text as `station run x.wat` reads it: ModuleLoader.compileText (the nesting guard,
// then WasmKit's wat2wasm on a large-stack thread). Whatever it accepts must be a binary that
// WasmKit's parser reads to the end and that ModuleInfo can describe.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWAT(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    guard let wasm = try? ModuleLoader.compileText(text, loadTime: nil) else { return 0 }
    fuzzCheck(wasm.count >= 8 && Array(wasm.prefix(4)) == [0x00, 0x61, 0x73, 0x6D], "no wasm header")
    if knownWasmKitIssue(text) { return 0 }
    var parser = WasmParser.Parser(bytes: wasm, features: .all)
    do {
        while try parser.parseNext() != nil {}
    } catch {
        fuzzCheck(false, "compiled text does not parse: \(error)")
    }
    fuzzCheck((try? ModuleInfo(wasm: wasm)) != nil, "ModuleInfo refuses compiled text")
    return 0
}

/// WasmKit 0.4's WAT lexer accepts a reference type keyword directly followed by a non-ASCII
/// character (`(table 2 funcref\u{A9})`) and encodes the table's type as 0x40, so the binary is
/// invalid. Found by this target (Fuzz/Crashes/WAT/wasmkit-reftype-non-ascii); the result is only
/// an invalid module the engines refuse, so fuzzing goes on past it unless FUZZ_STRICT=1.
private func knownWasmKitIssue(_ text: String) -> Bool {
    if strict { return false }
    for keyword in ["funcref", "externref"] {
        var start = text.unicodeScalars.startIndex
        while let range = text.unicodeScalars[start...].firstRange(of: keyword.unicodeScalars) {
            if range.upperBound < text.unicodeScalars.endIndex, !text.unicodeScalars[range.upperBound].isASCII { return true }
            start = range.upperBound
        }
    }
    return false
}

private let strict = getenv("FUZZ_STRICT").map { String(cString: $0) == "1" } ?? false

@_cdecl("FuzzWAT_main")
public func fuzzWATMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzWAT)
}
