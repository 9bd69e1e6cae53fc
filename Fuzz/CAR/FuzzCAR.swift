import FuzzHarnesses
import FuzzSupport

// libFuzzer entry points for `Harness.car` (the body lives in Fuzz/Harnesses; see docs/fuzzing.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCAR(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzRunAsync(data, size) { try await Harness.car($0) }
}

@_cdecl("FuzzCAR_main")
public func fuzzCARMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzCAR)
}
