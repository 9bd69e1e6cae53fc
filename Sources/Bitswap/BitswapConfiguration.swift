import IPFS
import Synchronization

/// Limits and tuning of a `Bitswap` service.
public struct BitswapConfiguration: Sendable {
    /// Largest message read or written (bytes); larger inbound messages reset the stream unread.
    public var maxMessageSize: Int
    /// Largest block accepted or served (bytes).
    public var maxBlockSize: Int
    /// Blocks a DAG fetch keeps wanted at once.
    public var window: Int
    /// A fetch fails when no wanted block arrives for this long (seconds).
    public var fetchTimeout: Double
    /// Most wants remembered per requesting peer on the server side; extra wants are ignored.
    public var maxWantsPerPeer: Int
    /// The server packs blocks into response messages of about this many bytes.
    public var responseBatchBytes: Int
    /// Most peers one fetch asks at once; further peers given are reserves, used when a session
    /// peer is dropped (unreachable, or penalised for garbage blocks, lies or silence).
    public var maxSessionPeers: Int
    /// A peer that holds a want-block and delivers nothing for this long (seconds) is slow: the
    /// block is also asked of another peer. Capped at a third of `fetchTimeout`.
    public var wantTimeout: Double

    /// Creates a configuration (defaults: 4 MiB messages, 2 MiB blocks, 128-block window,
    /// 30 s timeout, 8192 wants per peer, 1 MiB responses, 16 peers per fetch, 4 s per want).
    public init(
        maxMessageSize: Int = BitswapMessage.defaultMaxMessageSize, maxBlockSize: Int = 2 << 20, window: Int = 128,
        fetchTimeout: Double = 30, maxWantsPerPeer: Int = 8192, responseBatchBytes: Int = 1 << 20,
        maxSessionPeers: Int = 16, wantTimeout: Double = 4
    ) {
        self.maxMessageSize = maxMessageSize
        self.maxBlockSize = maxBlockSize
        self.window = max(1, window)
        self.fetchTimeout = fetchTimeout
        self.maxWantsPerPeer = max(1, maxWantsPerPeer)
        self.responseBatchBytes = max(1, responseBatchBytes)
        self.maxSessionPeers = max(1, maxSessionPeers)
        self.wantTimeout = wantTimeout
    }

    /// The per-want timeout in force: `wantTimeout`, at most a third of `fetchTimeout`, at least 10 ms.
    var effectiveWantTimeout: Double {
        let candidates = [wantTimeout, fetchTimeout / 3].filter { $0.isFinite }
        return max(0.01, candidates.min() ?? 3600)
    }
}

/// Counters of a `Bitswap` service since it was created.
public struct BitswapStatistics: Sendable, Equatable {
    /// Wanted blocks received and verified.
    public var blocksReceived = 0
    /// Their bytes.
    public var bytesReceived = 0
    /// Blocks received that nobody wanted (unrequested, duplicates, or bytes that did not hash to
    /// any wanted CID); dropped without being stored.
    public var unwantedBlocks = 0
    /// Blocks received that were larger than `maxBlockSize`; dropped without being hashed or stored.
    public var oversizedBlocks = 0
    /// Inbound messages refused (too large, truncated, malformed); their stream was reset.
    public var rejectedMessages = 0
    /// Blocks sent by the server.
    public var blocksSent = 0
    /// Their bytes.
    public var bytesSent = 0
    /// HAVE / DONT_HAVE answers sent.
    public var presencesSent = 0
    /// Messages that could not be sent (peer gone, stream refused).
    public var failedSends = 0
    /// Wants the server ignored because a peer's wantlist was full.
    public var droppedWants = 0
    /// Strikes fetch sessions gave peers (a garbage block, DONT_HAVE after HAVE, a want timed out).
    public var peerStrikes = 0
    /// Peers dropped from a fetch session for misbehaving (their wants moved to other peers).
    public var peersDropped = 0
}

/// The live counters, shared by the client and server halves of one service.
final class BitswapCounters: Sendable {
    private let state = Mutex(BitswapStatistics())

    /// A copy of the counters.
    var snapshot: BitswapStatistics { state.withLock { $0 } }

    /// Changes the counters under the lock.
    func update(_ change: (inout BitswapStatistics) -> Void) {
        state.withLock { change(&$0) }
    }
}
