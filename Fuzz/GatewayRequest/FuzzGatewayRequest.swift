import FuzzSupport
import IPFS
import Multiformats

// Trustless-gateway request targets. Input: the request target, then optionally "\n" and the
// Accept header. A parsed entity-bytes range must resolve inside any file size.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGatewayRequest(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let (head, tail) = splitOnce(bytes, at: 0x0A)
    let target = String(decoding: head, as: UTF8.self)
    let accept = tail.map { String(decoding: $0, as: UTF8.self) }
    if let request = try? GatewayRequest(target: target, accept: accept) {
        fuzzCheck(!request.path.contains(".") && !request.path.contains(".."), "dot segment in path \(request.path)")
        if let range = request.entityBytes { checkRange(range) }
    }
    // The range syntax on its own, with the whole input as text.
    if let range = try? EntityBytes(parsing: String(decoding: bytes, as: UTF8.self)) { checkRange(range) }
    return 0
}

private func checkRange(_ range: EntityBytes) {
    for fileSize: UInt64 in [0, 1, 2, 100, 1 << 32, UInt64(Int64.max), UInt64(Int64.max) + 1, UInt64.max] {
        let resolved = range.resolved(fileSize: fileSize)
        fuzzCheck(resolved.upperBound <= fileSize, "\(range) on \(fileSize) resolves to \(resolved)")
    }
}

@_cdecl("FuzzGatewayRequest_main")
public func fuzzGatewayRequestMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzGatewayRequest)
}
