import IPFS
import Multiformats

/// Every way Bitswap (the message codec, the server and the fetch client) can fail.
public enum BitswapError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A message announced or had more bytes than allowed; nothing of it was kept.
    case messageTooLarge(size: Int, limit: Int)
    /// The stream ended inside a message (after `received` of `expected` bytes, or inside the length prefix).
    case truncatedMessage(expected: Int, received: Int)
    /// The message is not a valid Bitswap protobuf.
    case malformedMessage(String)
    /// A CID (wantlist entry, presence) or a block prefix does not decode.
    case invalidCID(String)
    /// A block prefix names a hash function we cannot compute.
    case unsupportedBlockPrefix(String)
    /// No peer delivered the block before the fetch timed out.
    case timeout(missing: String, waitedSeconds: Double)
    /// Every peer asked answered that it does not have the block.
    case notFound(cid: String, peers: Int)
    /// A fetch was started without any peer to ask.
    case noPeers
    /// None of the given peers could be reached or accepted a Bitswap stream.
    case peersUnreachable(String)
    /// The block store refused a verified block (quota, capacity, I/O) or the DAG is invalid.
    case store(IPFSError)
    /// The service was closed.
    case closed

    /// A readable sentence describing the failure.
    public var description: String {
        switch self {
        case .messageTooLarge(let size, let limit): return "Bitswap message of \(size) bytes exceeds the \(limit)-byte limit"
        case .truncatedMessage(let expected, let received):
            return "Bitswap stream ended inside a message (\(received) of \(expected) bytes)"
        case .malformedMessage(let reason): return "malformed Bitswap message: \(reason)"
        case .invalidCID(let reason): return "invalid CID in Bitswap message: \(reason)"
        case .unsupportedBlockPrefix(let reason): return "unsupported block prefix in Bitswap message: \(reason)"
        case .timeout(let missing, let seconds):
            return "Bitswap fetch timed out after \(seconds) s without progress; block \(missing) is missing"
        case .notFound(let cid, let peers): return "none of the \(peers) peer(s) asked has block \(cid)"
        case .noPeers: return "Bitswap fetch needs at least one peer"
        case .peersUnreachable(let reason): return "no Bitswap peer reachable: \(reason)"
        case .store(let error): return "storing a fetched block failed: \(error.description)"
        case .closed: return "the Bitswap service is closed"
        }
    }
}
