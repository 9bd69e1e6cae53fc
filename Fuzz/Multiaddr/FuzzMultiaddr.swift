import FuzzSupport
import Multiformats

// Multiaddrs from bytes and from text, with round trips between the two forms.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultiaddr(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)

    if let address = try? Multiaddr(bytes: bytes) {
        fuzzCheck(address.bytes == bytes, "binary multiaddr re-encodes differently")
        check(address)
    }
    let text = String(decoding: bytes, as: UTF8.self)
    if let address = try? Multiaddr(text) {
        check(address)
    }
    return 0
}

private func check(_ address: Multiaddr) {
    // Either form past maxStringLength is refused by design, so only shorter ones must round-trip.
    let binary = address.bytes
    if binary.count <= Multiaddr.maxStringLength {
        let fromBytes = try? Multiaddr(bytes: binary)
        fuzzCheck(fromBytes == address || address.components.isEmpty, "bytes of \(address) do not decode back")
    }
    let text = address.description
    if text.utf8.count <= Multiaddr.maxStringLength {
        let fromText = try? Multiaddr(text)
        fuzzCheck(fromText == address, "text \(text.debugDescription) does not parse back")
    }
    // The convenience views must not trap on anything that parsed.
    _ = address.peerID
    _ = address.withoutPeerID
    _ = address.tcpHostPort
    _ = address.udpHostPort
    for component in address.components {
        _ = component.textValue
        _ = component.valueBytes
    }
}

@_cdecl("FuzzMultiaddr_main")
public func fuzzMultiaddrMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzMultiaddr)
}
