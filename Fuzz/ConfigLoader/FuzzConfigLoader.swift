import FuzzHarnesses
import FuzzSupport

// libFuzzer entry points for `Harness.configLoader` (the body lives in Fuzz/Harnesses; see docs/fuzzing.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigLoader(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzRun(data, size, Harness.configLoader)
}

@_cdecl("FuzzConfigLoader_main")
public func fuzzConfigLoaderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzConfigLoader)
}
