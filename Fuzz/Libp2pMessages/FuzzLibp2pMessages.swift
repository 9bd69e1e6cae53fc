import FuzzHarnesses
import FuzzSupport

// libFuzzer entry points for `Harness.libp2pMessages` (the body lives in Fuzz/Harnesses; see docs/fuzzing.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLibp2pMessages(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzRun(data, size, Harness.libp2pMessages)
}

@_cdecl("FuzzLibp2pMessages_main")
public func fuzzLibp2pMessagesMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzLibp2pMessages)
}
