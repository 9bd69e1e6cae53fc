import FuzzSupport
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
    var parser = WasmParser.Parser(bytes: wasm, features: .all)
    do {
        while try parser.parseNext() != nil {}
    } catch {
        fuzzCheck(false, "compiled text does not parse: \(error)")
    }
    fuzzCheck((try? ModuleInfo(wasm: wasm)) != nil, "ModuleInfo refuses compiled text")
    return 0
}

@_cdecl("FuzzWAT_main")
public func fuzzWATMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzWAT)
}
