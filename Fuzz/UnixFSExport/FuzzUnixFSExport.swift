import FuzzHarnesses
import FuzzSupport

// libFuzzer entry points for `Harness.unixFSExport` (the body lives in Fuzz/Harnesses; see docs/fuzzing.md).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUnixFSExport(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzRunAsync(data, size) { try await Harness.unixFSExport($0) }
}

@_cdecl("FuzzUnixFSExport_main")
public func fuzzUnixFSExportMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzUnixFSExport)
}
