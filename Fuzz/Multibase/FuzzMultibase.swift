import FuzzHarnesses
import FuzzSupport

// libFuzzer entry points for `Harness.multibase` (the body lives in Fuzz/Harnesses; see docs/fuzzing.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultibase(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzRun(data, size, Harness.multibase)
}

@_cdecl("FuzzMultibase_main")
public func fuzzMultibaseMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzMultibase)
}
