import FuzzHarnesses
import FuzzSupport

// libFuzzer entry points for `Harness.yamux` (the body lives in Fuzz/Harnesses; see docs/fuzzing.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYamux(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzRun(data, size, Harness.yamux)
}

@_cdecl("FuzzYamux_main")
public func fuzzYamuxMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzYamux)
}
