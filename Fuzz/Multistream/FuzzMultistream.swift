import FuzzHarnesses
import FuzzSupport

// libFuzzer entry points for `Harness.multistream` (the body lives in Fuzz/Harnesses; see docs/fuzzing.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultistream(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzRun(data, size, Harness.multistream)
}

@_cdecl("FuzzMultistream_main")
public func fuzzMultistreamMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzMultistream)
}
