import FuzzHarnesses
import FuzzSupport

// libFuzzer entry points for `Harness.gatewayRequest` (the body lives in Fuzz/Harnesses; see docs/fuzzing.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGatewayRequest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzRun(data, size, Harness.gatewayRequest)
}

@_cdecl("FuzzGatewayRequest_main")
public func fuzzGatewayRequestMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzGatewayRequest)
}
