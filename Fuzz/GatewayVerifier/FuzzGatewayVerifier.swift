import FuzzHarnesses
import FuzzSupport

// libFuzzer entry points for `Harness.gatewayVerifier` (the body lives in Fuzz/Harnesses; see docs/fuzzing.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGatewayVerifier(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzRunAsync(data, size, Harness.gatewayVerifier)
}

@_cdecl("FuzzGatewayVerifier_main")
public func fuzzGatewayVerifierMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzGatewayVerifier)
}
