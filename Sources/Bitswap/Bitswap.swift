import IPFS
import Libp2p
import Multiformats
import Synchronization

/// Bitswap 1.2.0 (also 1.1.0 and 1.0.0) over a `Libp2pHost`, backed by a `BlockStore`.
///
/// Server: answers other peers' wants from the store — HAVE / DONT_HAVE for want-have, the block
/// for want-block, cancels honoured while the answer is still queued — always on a stream it
/// opens to the requester (go-libp2p peers only read streams they did not open).
///
/// Client: `fetchBlock` and `fetchDAG` run a session over the given peers (`SessionScheduler`):
/// want-have to find who holds blocks, each want-block asked of one peer at a time, re-requests
/// from others when a peer is slow or refuses, penalties for peers that send garbage or lie, at
/// most `configuration.maxSessionPeers` peers, cancels when a block arrives and when the fetch
/// ends; overlapping fetches share wants on the wire. Up to `configuration.window` blocks are
/// wanted at once. Every block is hashed and
/// matched against a CID we asked for before it is stored for the module; blocks nobody asked
/// for, oversized blocks and oversized messages are dropped and counted, never stored.
///
/// ```swift
/// let bitswap = Bitswap(host: host, store: store)
/// bitswap.start()
/// let result = try await bitswap.fetchDAG(root: cid, from: [kuboAddress], module: "weather")
/// ```
public final class Bitswap: Sendable {
    /// The libp2p host the service runs on.
    public let host: Libp2pHost
    /// Where blocks are served from and stored to.
    public let store: BlockStore
    /// Limits and tuning.
    public let configuration: BitswapConfiguration

    let registry = WantRegistry()
    let senders: BitswapSenders
    let server: BitswapServer
    let counters = BitswapCounters()
    /// Every wantlist entry received, in order, once a test sets it to `[]` (nil: not recorded).
    let wantLog = Mutex<[BitswapMessage.Entry]?>(nil)

    /// Creates the service; call `start()` to handle inbound Bitswap streams.
    public init(host: Libp2pHost, store: BlockStore, configuration: BitswapConfiguration = BitswapConfiguration()) {
        self.host = host
        self.store = store
        self.configuration = configuration
        senders = BitswapSenders(host: host)
        server = BitswapServer(store: store, senders: senders, configuration: configuration, statistics: counters)
    }

    /// The protocol ids served, preferred first.
    public static var protocols: [String] { BitswapSenders.protocols }

    /// Registers the stream handlers for `/ipfs/bitswap/1.2.0`, `1.1.0` and `1.0.0`.
    public func start() {
        for protocolID in Self.protocols {
            host.setStreamHandler(protocol: protocolID) { [weak self] stream in
                guard let self else { return stream.reset() }
                await handleInbound(stream)
            }
        }
    }

    /// Removes the handlers and closes our outbound Bitswap streams.
    public func stop() async {
        for protocolID in Self.protocols { host.removeStreamHandler(protocol: protocolID) }
        await senders.closeAll()
    }

    /// Counters since the service was created.
    public var statistics: BitswapStatistics { counters.snapshot }

    // MARK: Inbound

    /// Reads messages from a stream a peer opened until it ends; a bad message resets the stream.
    func handleInbound(_ stream: Libp2pStream) async {
        let reader = BitswapMessageReader(stream: stream, maxSize: configuration.maxMessageSize)
        do {
            while let message = try await reader.next() {
                process(message, from: stream.remotePeer)
            }
            await stream.close()
        } catch {
            if error is BitswapError { counters.update { $0.rejectedMessages += 1 } }
            stream.reset()
        }
    }

    /// Routes one message: wants to the server, blocks and HAVE / DONT_HAVE to waiting fetches.
    func process(_ message: BitswapMessage, from peer: PeerID) {
        wantLog.withLock { log in log?.append(contentsOf: message.wantlist) }
        server.receive(message.wantlist, full: message.fullWantlist, from: peer)
        // Sessions hear of at most a few unwanted blocks per message (enough for strikes), so a
        // message packed with tiny garbage blocks cannot queue an event for each of them.
        var unwantedReported = 0
        for payload in message.payloads {
            guard payload.data.count <= configuration.maxBlockSize else {
                counters.update { $0.oversizedBlocks += 1 }
                continue
            }
            // Counted before delivery: delivering resumes the fetch, whose caller may read the
            // statistics at once and must find its block in them. Taken back if nobody wanted it.
            counters.update { stats in
                stats.blocksReceived += 1
                stats.bytesReceived += payload.data.count
            }
            let cid = try? payload.cid()
            guard let cid, registry.deliver(cid, data: payload.data, from: peer) else {
                counters.update { stats in
                    stats.blocksReceived -= 1
                    stats.bytesReceived -= payload.data.count
                    stats.unwantedBlocks += 1
                }
                // The sessions asking this peer judge it: a late duplicate is fine, garbage is not.
                if unwantedReported < Self.unwantedReportsPerMessage {
                    unwantedReported += 1
                    registry.unwanted(multihash: cid?.multihash.bytes, from: peer)
                }
                continue
            }
        }
        for presence in message.presences {
            registry.presence(presence.cid, presence.type, from: peer)
        }
    }

    /// Unwanted blocks of one message reported to the fetch sessions (the rest are only counted).
    static let unwantedReportsPerMessage = 8

    // MARK: Peers

    /// Connects to each address (which must end in `/p2p/ID`) and returns the peers reached.
    /// - Throws: `BitswapError.noPeers` for an empty list, `.peersUnreachable` when none connects.
    func resolvePeers(_ addresses: [Multiaddr]) async throws -> [PeerID] {
        guard !addresses.isEmpty else { throw BitswapError.noPeers }
        var peers: [PeerID] = []
        var failures: [String] = []
        for address in addresses {
            do {
                let connection = try await host.connect(to: address)
                if !peers.contains(connection.remotePeer) { peers.append(connection.remotePeer) }
            } catch {
                failures.append("\(address): \(error)")
            }
        }
        guard !peers.isEmpty else { throw BitswapError.peersUnreachable(failures.joined(separator: "; ")) }
        return peers
    }
}
