import Multiformats

extension PeerID {
    /// The base58btc text form of the multihash (`Qm…` for sha2-256, `12D3KooW…`/`16Uiu2…` for inlined keys).
    public var base58: String { Base58.encode(bytes) }

    /// The CIDv1 text form (codec libp2p-key, base32), e.g. `bafzaa…`.
    public var cidString: String { CID.v1(codec: .libp2pKey, multihash: multihash).description }

    /// Parses a peer ID from base58btc multihash text or from a CIDv1 with codec libp2p-key.
    public init(_ text: some StringProtocol) throws(Libp2pError) {
        guard !text.isEmpty, text.count <= 256 else { throw .invalidPeerID("text is empty or too long") }
        if text.hasPrefix("Qm") || text.hasPrefix("1") {
            let bytes: [UInt8]
            do {
                bytes = try Base58.decode(text)
            } catch {
                throw .invalidPeerID("\(error)")
            }
            try self.init(bytes: bytes)
            return
        }
        let cid: CID
        do {
            cid = try CID(text)
        } catch {
            throw .invalidPeerID("'\(text.prefix(64))' is neither base58 nor a CID: \(error)")
        }
        guard cid.version == .v1, cid.codec == Multicodec.libp2pKey.rawValue else {
            throw .invalidPeerID("CID codec 0x\(String(cid.codec, radix: 16)) is not libp2p-key")
        }
        try self.init(multihash: cid.multihash)
    }
}
