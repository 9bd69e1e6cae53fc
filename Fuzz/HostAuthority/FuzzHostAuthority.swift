import FuzzHarnesses
import FuzzSupport

// libFuzzer entry points for `Harness.hostAuthority` (the body lives in Fuzz/Harnesses; see docs/fuzzing.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHostAuthority(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzRun(data, size, Harness.hostAuthority)
}

@_cdecl("FuzzHostAuthority_main")
public func fuzzHostAuthorityMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzHostAuthority)
}
