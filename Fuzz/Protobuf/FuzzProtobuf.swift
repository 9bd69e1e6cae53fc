import FuzzHarnesses
import FuzzSupport

// libFuzzer entry points for `Harness.protobuf` (the body lives in Fuzz/Harnesses; see docs/fuzzing.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProtobuf(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzRun(data, size, Harness.protobuf)
}

@_cdecl("FuzzProtobuf_main")
public func fuzzProtobufMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzProtobuf)
}
