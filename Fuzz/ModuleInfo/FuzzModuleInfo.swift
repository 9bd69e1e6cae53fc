import FuzzHarnesses
import FuzzSupport

// libFuzzer entry points for `Harness.moduleInfo` (the body lives in Fuzz/Harnesses; see docs/fuzzing.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModuleInfo(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzRun(data, size, Harness.moduleInfo)
}

@_cdecl("FuzzModuleInfo_main")
public func fuzzModuleInfoMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzModuleInfo)
}
