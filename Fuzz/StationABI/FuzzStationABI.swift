import FuzzHarnesses
import FuzzSupport

// libFuzzer entry points for `Harness.stationABI` (the body lives in Fuzz/Harnesses; see docs/fuzzing.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStationABI(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzRunAsync(data, size, Harness.stationABI)
}

@_cdecl("FuzzStationABI_main")
public func fuzzStationABIMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzStationABI)
}
