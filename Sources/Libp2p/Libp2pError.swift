/// Every way the libp2p stack can fail, with a readable `description` for logs and users.
public enum Libp2pError: Error, Equatable, Sendable, CustomStringConvertible {
    // MARK: Keys and peer IDs
    /// The key protobuf names a key type we do not know.
    case unsupportedKeyType(UInt64)
    /// The key bytes could not be parsed for the named key type.
    case invalidKey(String)
    /// The peer ID bytes or text are not a valid peer ID.
    case invalidPeerID(String)
    /// The identity file in the state folder could not be read or written.
    case identityStore(String)

    // MARK: multistream-select
    /// A multistream-select line is longer than the limit.
    case multistreamLineTooLong(Int)
    /// A multistream-select message is malformed (no newline, bad header, bad UTF-8).
    case multistreamMalformed(String)
    /// The remote side does not support any of the protocols we proposed.
    case protocolNotSupported([String])

    // MARK: Noise
    /// The Noise handshake failed (bad message, bad length, decryption failure).
    case noiseHandshakeFailed(String)
    /// The remote's signature over its Noise static key did not verify.
    case noiseBadSignature
    /// A Noise transport message failed to decrypt (tampered or out of order).
    case noiseDecryptionFailed
    /// The remote peer's key does not match the peer ID we dialled.
    case peerIDMismatch(expected: String, actual: String)

    // MARK: Yamux
    /// A Yamux frame carried a version other than 0.
    case yamuxBadVersion(UInt8)
    /// A Yamux frame carried an unknown type.
    case yamuxBadType(UInt8)
    /// A Yamux data frame is larger than the receive window the stream granted.
    case yamuxWindowExceeded(streamID: UInt32)
    /// A Yamux frame broke the protocol in another way.
    case yamuxProtocolError(String)
    /// The remote refused or reset the stream.
    case streamReset
    /// The stream limit for this connection is reached.
    case tooManyStreams(Int)
    /// The stream is closed for writing.
    case streamClosedForWriting

    // MARK: Connections and host
    /// The connection is closed (or closing).
    case connectionClosed
    /// An operation took longer than its deadline.
    case timeout(String)
    /// A connection limit refused the connection.
    case connectionLimit(String)
    /// The address cannot be dialled or listened on by this transport.
    case unsupportedAddress(String)
    /// No address is known for the peer.
    case noAddresses(String)
    /// A protocol exchange (identify, ping) returned unexpected data.
    case protocolViolation(String)

    /// A readable sentence describing the failure.
    public var description: String {
        switch self {
        case .unsupportedKeyType(let type): return "libp2p key type \(type) is not supported"
        case .invalidKey(let why): return "invalid libp2p key: \(why)"
        case .invalidPeerID(let why): return "invalid peer ID: \(why)"
        case .identityStore(let why): return "identity store: \(why)"
        case .multistreamLineTooLong(let length): return "multistream-select line of \(length) bytes exceeds the limit"
        case .multistreamMalformed(let why): return "malformed multistream-select message: \(why)"
        case .protocolNotSupported(let protocols): return "remote supports none of \(protocols.joined(separator: ", "))"
        case .noiseHandshakeFailed(let why): return "Noise handshake failed: \(why)"
        case .noiseBadSignature: return "Noise handshake failed: the remote's signature over its static key is invalid"
        case .noiseDecryptionFailed: return "Noise message failed to decrypt"
        case .peerIDMismatch(let expected, let actual): return "dialled peer \(expected) but the remote is \(actual)"
        case .yamuxBadVersion(let version): return "Yamux frame has unsupported version \(version)"
        case .yamuxBadType(let type): return "Yamux frame has unknown type \(type)"
        case .yamuxWindowExceeded(let id): return "Yamux stream \(id) received more data than its window allows"
        case .yamuxProtocolError(let why): return "Yamux protocol error: \(why)"
        case .streamReset: return "the stream was reset"
        case .tooManyStreams(let limit): return "stream limit of \(limit) reached"
        case .streamClosedForWriting: return "the stream is closed for writing"
        case .connectionClosed: return "the connection is closed"
        case .timeout(let what): return "timed out: \(what)"
        case .connectionLimit(let why): return "connection refused by limit: \(why)"
        case .unsupportedAddress(let address): return "address \(address) is not supported by the TCP transport"
        case .noAddresses(let peer): return "no known address for peer \(peer)"
        case .protocolViolation(let why): return "protocol violation: \(why)"
        }
    }
}
