import Libp2p
import Multiformats
import NIOCore

extension Harness {
    /// multistream-select messages as a peer sends them (`MultistreamCodec.decode`, the framing
    /// of every protocol negotiation): every line decoded re-encodes to exactly the bytes it
    /// consumed, "need more bytes" consumes nothing, and the same stream split in two chunks
    /// decodes to the same lines and the same failure.
    public static func multistream(_ bytes: [UInt8]) throws {
        for maxLineLength in [MultistreamCodec.defaultMaxLineLength, 16] {
            let whole = try decodeMultistream([bytes], maxLineLength: maxLineLength)
            if bytes.count > 1 {
                let cut = Int(bytes[0]) % bytes.count
                let chunked = try decodeMultistream([Array(bytes[..<cut]), Array(bytes[cut...])], maxLineLength: maxLineLength)
                try fuzzCheck(chunked == whole, "chunked decode \(chunked) differs from whole \(whole)")
            }
        }
    }

    /// The lines decoded from `chunks` fed one after another, and whether decoding failed.
    private static func decodeMultistream(_ chunks: [[UInt8]], maxLineLength: Int) throws -> [String?] {
        var buffer = ByteBuffer()
        var lines: [String?] = []
        for chunk in chunks {
            buffer.writeBytes(chunk)
            while true {
                let before = buffer.readerIndex
                // NIO reads nothing behind the reader index, so keep the pending bytes to compare.
                let pending = Array(buffer.readableBytesView)
                let decoded: String?
                do {
                    decoded = try MultistreamCodec.decode(&buffer, maxLineLength: maxLineLength)
                } catch {
                    _ = "\(error)"
                    lines.append(nil)  // failure ends the stream, as the negotiator closes it
                    return lines
                }
                guard let line = decoded else {
                    try fuzzCheck(buffer.readerIndex == before, "decode consumed bytes but returned no line")
                    break
                }
                let consumed = Array(pending.prefix(buffer.readerIndex - before))
                try fuzzCheck(consumed == MultistreamCodec.encode(line), "line \(line.debugDescription) re-encodes differently")
                try fuzzCheck(line.utf8.count < maxLineLength, "line longer than the limit")
                lines.append(line)
            }
        }
        return lines
    }

    /// Yamux frames (`YamuxFrameDecoder`, 12-byte headers plus data payloads) from a byte stream:
    /// each frame re-encodes to exactly the bytes it consumed, `bytesMissing` agrees with whether
    /// `decode` returns a frame, and a stream split in two chunks decodes the same.
    public static func yamux(_ bytes: [UInt8]) throws {
        let whole = try decodeYamux([bytes])
        if bytes.count > 1 {
            let cut = Int(bytes[bytes.count / 2]) % bytes.count
            let chunked = try decodeYamux([Array(bytes[..<cut]), Array(bytes[cut...])])
            try fuzzCheck(chunked == whole, "chunked decode differs from whole")
        }
    }

    /// The frames (as re-encoded bytes) decoded from `chunks`, then nil if decoding failed.
    private static func decodeYamux(_ chunks: [[UInt8]]) throws -> [[UInt8]?] {
        // A small payload limit so oversized data frames are refused, as in a real session.
        let decoder = YamuxFrameDecoder(maxDataLength: 256)
        var buffer = ByteBuffer()
        var frames: [[UInt8]?] = []
        for chunk in chunks {
            buffer.writeBytes(chunk)
            while true {
                let before = buffer.readerIndex
                // NIO reads nothing behind the reader index, so keep the pending bytes to compare.
                let pending = Array(buffer.readableBytesView)
                let missing = decoder.bytesMissing(in: buffer)
                let decoded: YamuxFrame?
                do {
                    decoded = try decoder.decode(&buffer)
                } catch {
                    _ = "\(error)"
                    frames.append(nil)
                    return frames
                }
                guard let frame = decoded else {
                    try fuzzCheck(buffer.readerIndex == before, "decode consumed bytes but returned no frame")
                    try fuzzCheck(missing > 0, "bytesMissing is 0 but decode wants more")
                    break
                }
                try fuzzCheck(missing == 0, "bytesMissing is \(missing) but decode returned a frame")
                var encoded = ByteBuffer()
                frame.encode(into: &encoded)
                let consumed = Array(pending.prefix(buffer.readerIndex - before))
                let reencoded = encoded.readBytes(length: encoded.readableBytes) ?? []
                try fuzzCheck(consumed == reencoded, "frame \(frame.type) re-encodes differently")
                try fuzzCheck(frame.type != .data || frame.length <= decoder.maxDataLength, "data frame over the limit")
                frames.append(reencoded)
            }
        }
        return frames
    }

    /// The protobufs a peer sends during and after the handshake: identify (`IdentifyMessage`),
    /// the public key inside identify and the Noise handshake payload (`PublicKey(protobuf:)`,
    /// with signature checks on garbage keys), and peer IDs (`PeerID(bytes:)`, text).
    /// Each decoded value re-encodes to one that decodes the same.
    /// (The Noise payload's own two-field wrapper, `NoiseHandshakePayload`, is internal.)
    public static func libp2pMessages(_ bytes: [UInt8]) throws {
        if let message = try? IdentifyMessage(decoding: bytes) {
            let again = try? IdentifyMessage(decoding: message.encoded)
            try fuzzCheck(again == message, "identify message does not round-trip")
            _ = message.publicKey?.peerID
        }
        if let message = try? IdentifyMessage(framedOrRaw: bytes) {
            try fuzzCheck((try? IdentifyMessage(decoding: message.encoded)) == message, "framed identify does not round-trip")
        }
        if let key = try? PublicKey(protobuf: bytes) {
            try fuzzCheck((try? PublicKey(protobuf: key.protobufBytes)) == key, "public key does not round-trip")
            let peer = key.peerID
            try fuzzCheck(peer.matches(key), "peer ID does not match its key")
            try fuzzCheck((try? PeerID(bytes: peer.bytes)) == peer, "peer ID bytes do not decode back")
            // A signature check on a hostile key (as the Noise handshake does) must just say no.
            let (message, signature) = splitOnce(bytes, at: 0)
            _ = key.verify(signature: Array(signature ?? []), for: Array(message))
        }
        if let peer = try? PeerID(bytes: bytes) {
            try fuzzCheck(peer.bytes == bytes, "peer ID re-encodes differently")
            try fuzzCheck((try? PeerID(peer.base58)) == peer, "base58 peer ID \(peer.base58) does not parse back")
            try fuzzCheck((try? PeerID(peer.cidString)) == peer, "CID peer ID \(peer.cidString) does not parse back")
            _ = peer.inlinedPublicKey
        }
        if let peer = try? PeerID(String(decoding: bytes, as: UTF8.self)) {
            try fuzzCheck((try? PeerID(bytes: peer.bytes)) == peer, "text peer ID's bytes do not decode back")
        }
    }
}
