import FuzzHarnesses
import FuzzSupport

// libFuzzer entry points for `Harness.networkPattern` (the body lives in Fuzz/Harnesses; see docs/fuzzing.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNetworkPattern(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzRun(data, size, Harness.networkPattern)
}

@_cdecl("FuzzNetworkPattern_main")
public func fuzzNetworkPatternMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzNetworkPattern)
}
