import FuzzHarnesses
import FuzzSupport

// libFuzzer entry points for `Harness.bitswap` (the body lives in Fuzz/Harnesses; see docs/fuzzing.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBitswap(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzRun(data, size, Harness.bitswap)
}

@_cdecl("FuzzBitswap_main")
public func fuzzBitswapMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzBitswap)
}
