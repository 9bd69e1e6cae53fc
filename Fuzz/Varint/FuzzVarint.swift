import FuzzHarnesses
import FuzzSupport

// libFuzzer entry points for `Harness.varint` (the body lives in Fuzz/Harnesses; see docs/fuzzing.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzVarint(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzRun(data, size, Harness.varint)
}

@_cdecl("FuzzVarint_main")
public func fuzzVarintMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzVarint)
}
