import FuzzSupport
import Sandbox

// `station inspect` and the loader's capability check read untrusted wasm with ModuleInfo(wasm:):
// malformed bytes must give SandboxError.invalidModule, and what parses must describe itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModuleInfo(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    guard let info = try? ModuleInfo(wasm: bytes) else { return 0 }
    _ = info.capabilities.map(\.description)
    for entry in info.imports + info.exports { _ = entry.type }
    fuzzCheck(info.definedFunctions >= 0, "negative function count")
    return 0
}

@_cdecl("FuzzModuleInfo_main")
public func fuzzModuleInfoMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzModuleInfo)
}
