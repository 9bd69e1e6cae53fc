import FuzzHarnesses
import FuzzSupport

// libFuzzer entry points for `Harness.dagPB` (the body lives in Fuzz/Harnesses; see docs/fuzzing.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDagPB(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzRun(data, size, Harness.dagPB)
}

@_cdecl("FuzzDagPB_main")
public func fuzzDagPBMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzDagPB)
}
