import IPFS
import Multiformats

/// One Bitswap message (protocols `/ipfs/bitswap/1.0.0`, `1.1.0`, `1.2.0`): a wantlist update,
/// blocks, and block presences (HAVE / DONT_HAVE).
///
/// Wire format (protobuf): `wantlist = 1 {entries = 1, full = 2}`, `blocks = 2` (1.0.0 bare bytes),
/// `payload = 3 {prefix = 1, data = 2}`, `blockPresences = 4 {cid = 1, type = 2}`, `pendingBytes = 5`.
/// On a stream each message is preceded by its length as an unsigned varint (`BitswapFraming`).
public struct BitswapMessage: Sendable, Equatable {
    /// What a wantlist entry asks for.
    public enum WantType: UInt64, Sendable {
        /// Send the block.
        case block = 0
        /// Tell whether you have the block (1.2.0).
        case have = 1
    }

    /// One wantlist entry: a want, or the cancellation of one.
    public struct Entry: Sendable, Equatable {
        /// The wanted block.
        public var cid: CID
        /// Higher is more urgent.
        public var priority: Int32
        /// True to withdraw an earlier want for `cid`.
        public var cancel: Bool
        /// Block or presence.
        public var wantType: WantType
        /// Ask for an explicit DONT_HAVE when the peer lacks the block (1.2.0).
        public var sendDontHave: Bool

        /// Creates an entry.
        public init(cid: CID, priority: Int32 = 1, cancel: Bool = false, wantType: WantType = .block, sendDontHave: Bool = false) {
            self.cid = cid
            self.priority = priority
            self.cancel = cancel
            self.wantType = wantType
            self.sendDontHave = sendDontHave
        }
    }

    /// A block carried by a message: the CID prefix (version, codec, hash function, digest length)
    /// and the bytes; the digest is not sent, the receiver hashes the bytes.
    public struct Payload: Sendable, Equatable {
        /// How to name the bytes.
        public var prefix: CIDPrefix
        /// The block's bytes (unverified until `cid()` hashes them).
        public var data: [UInt8]

        /// Creates a payload.
        public init(prefix: CIDPrefix, data: [UInt8]) {
            self.prefix = prefix
            self.data = data
        }

        /// The CID of these bytes under this prefix (hashes the data).
        public func cid() throws(BitswapError) -> CID { try prefix.cid(for: data) }
    }

    /// Whether a peer has a block (1.2.0).
    public enum PresenceType: UInt64, Sendable {
        /// The peer has the block.
        case have = 0
        /// The peer does not have the block.
        case dontHave = 1
    }

    /// A HAVE or DONT_HAVE answer.
    public struct Presence: Sendable, Equatable {
        /// The block the answer is about.
        public var cid: CID
        /// Have or don't have.
        public var type: PresenceType

        /// Creates a presence.
        public init(cid: CID, type: PresenceType) {
            self.cid = cid
            self.type = type
        }
    }

    /// Wantlist entries (wants and cancels).
    public var wantlist: [Entry]
    /// True when `wantlist` replaces the sender's whole previous wantlist.
    public var fullWantlist: Bool
    /// Blocks (sent as `payload` for 1.1.0+, as bare `blocks` for 1.0.0, which implies CIDv0).
    public var payloads: [Payload]
    /// HAVE / DONT_HAVE answers.
    public var presences: [Presence]
    /// Bytes the sender still has queued for us (informational).
    public var pendingBytes: Int32

    /// Creates a message.
    public init(wantlist: [Entry] = [], fullWantlist: Bool = false, payloads: [Payload] = [], presences: [Presence] = [], pendingBytes: Int32 = 0) {
        self.wantlist = wantlist
        self.fullWantlist = fullWantlist
        self.payloads = payloads
        self.presences = presences
        self.pendingBytes = pendingBytes
    }

    /// True when the message carries nothing.
    public var isEmpty: Bool { wantlist.isEmpty && !fullWantlist && payloads.isEmpty && presences.isEmpty }
}
