import FuzzHarnesses
import FuzzSupport

// libFuzzer entry points for `Harness.kvFile` (the body lives in Fuzz/Harnesses; see docs/fuzzing.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKVFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzRun(data, size, Harness.kvFile)
}

@_cdecl("FuzzKVFile_main")
public func fuzzKVFileMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzKVFile)
}
