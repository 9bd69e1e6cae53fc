import FuzzSupport
import IPFS
import Multiformats

// Bitswap 1.2 message bodies as a peer sends them; a decoded message re-encodes to one that
// decodes to the same message, and payload CIDs can be computed without trapping.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBitswap(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    guard let message = try? BitswapMessage(decoding: bytes) else { return 0 }
    let encoded = message.encoded()
    let again = try? BitswapMessage(decoding: encoded, maxSize: Int.max)
    fuzzCheck(again == message, "Bitswap message does not round-trip")
    for payload in message.payloads { _ = try? payload.cid() }
    // The framed form is the body behind its length.
    let framed = BitswapFraming.frame(message)
    if let (length, prefix) = try? Varint.decode(framed) {
        fuzzCheck(Int(length) == encoded.count && prefix + encoded.count == framed.count, "frame length is wrong")
    }
    return 0
}

@_cdecl("FuzzBitswap_main")
public func fuzzBitswapMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzBitswap)
}
