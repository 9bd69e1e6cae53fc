import FuzzHarnesses
import FuzzSupport

// libFuzzer entry points for `Harness.multiaddr` (the body lives in Fuzz/Harnesses; see docs/fuzzing.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultiaddr(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzRun(data, size, Harness.multiaddr)
}

@_cdecl("FuzzMultiaddr_main")
public func fuzzMultiaddrMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzMultiaddr)
}
