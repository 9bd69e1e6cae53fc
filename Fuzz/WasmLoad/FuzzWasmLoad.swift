import FuzzHarnesses
import FuzzSupport

// libFuzzer entry points for `Harness.wasmLoad` (the body lives in Fuzz/Harnesses; see docs/fuzzing.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWasmLoad(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzRun(data, size, Harness.wasmLoad)
}

@_cdecl("FuzzWasmLoad_main")
public func fuzzWasmLoadMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzWasmLoad)
}
