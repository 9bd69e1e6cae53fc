import Multiformats
import NIOCore
import Synchronization

/// Counts open inbound DHT streams, per peer and in all, refusing those past the limits.
final class InboundStreamLimiter: Sendable {
    private let state = Mutex<(total: Int, perPeer: [PeerID: Int])>((0, [:]))

    /// Takes a slot for a stream from `peer`; false when a limit is reached.
    func acquire(_ peer: PeerID, perPeer: Int, total: Int) -> Bool {
        state.withLock { state in
            let current = state.perPeer[peer, default: 0]
            guard current < perPeer, state.total < total else { return false }
            state.perPeer[peer] = current + 1
            state.total += 1
            return true
        }
    }

    /// Gives the slot back.
    func release(_ peer: PeerID) {
        state.withLock { state in
            let left = state.perPeer[peer, default: 1] - 1
            state.perPeer[peer] = left > 0 ? left : nil
            state.total -= 1
        }
    }
}

/// Server mode: answering other peers' DHT requests.
///
/// Each inbound stream may carry several requests in turn (kubo reuses its streams), each read
/// with the ``KadMessage/maxLength`` cap of ``KadDHT/readMessageIfAny(from:)``; the stream is
/// closed after `inboundIdleTimeout` without a request, and reset on anything malformed. At most
/// `maxInboundStreamsPerPeer` streams per peer and `maxInboundStreams` in all are served at once.
///
/// - FIND_NODE: the `k` peers of the routing table closest to the key (never the asker), plus the
///   peer itself when the key names a peer we know; ourselves when the key is our own ID.
/// - GET_PROVIDERS: the live provider records of the key (a multihash) and the `k` closest peers.
/// - ADD_PROVIDER: provider entries naming the sender are stored (``KadProviderStore``, bounded,
///   48-hour records); entries naming anyone else are ignored, as the spec requires. No answer.
/// - GET_VALUE: the closest peers and no record (we hold no values: IPNS and public keys are not
///   stored here).
/// - PUT_VALUE: refused (stream reset), as a server that does not store the record must.
/// - PING: answered with PING.
///
/// Peers that send us requests and advertise a DHT protocol in identify (so they are servers
/// themselves) are added to the routing table with their identify addresses, as kubo does.
extension KadDHT {
    /// Registers the handlers for `/ipfs/kad/1.0.0` and `/ipfs/lan/kad/1.0.0` on the host (done
    /// by `init` in server mode).
    public func startServing() {
        for protocolID in [Self.protocolID, Self.lanProtocolID] {
            host.setStreamHandler(protocol: protocolID) { [weak self] stream in
                guard let self else { return stream.reset() }
                await self.serve(stream)
            }
        }
    }

    /// Removes the handlers; streams already open finish their current request.
    public func stopServing() {
        host.removeStreamHandler(protocol: Self.protocolID)
        host.removeStreamHandler(protocol: Self.lanProtocolID)
    }

    /// Serves one inbound stream: requests in turn until the peer closes it, stays idle past the
    /// timeout, or sends something we refuse.
    func serve(_ stream: Libp2pStream) async {
        let peer = stream.remotePeer
        guard inbound.acquire(peer, perPeer: configuration.maxInboundStreamsPerPeer, total: configuration.maxInboundStreams) else {
            counters.refusedInbound.wrappingAdd(1, ordering: .relaxed)
            stream.reset()
            return
        }
        defer { inbound.release(peer) }
        do {
            while let request = try await nextRequest(on: stream) {
                switch answer(request, from: peer) {
                case .refuse:
                    counters.refusedInbound.wrappingAdd(1, ordering: .relaxed)
                    host.logger.debug("DHT \(request.type) from \(peer) refused")
                    stream.reset()
                    return
                case .none:
                    counters.inboundRequests.wrappingAdd(1, ordering: .relaxed)
                case .reply(let reply):
                    counters.inboundRequests.wrappingAdd(1, ordering: .relaxed)
                    try await stream.write(ProtobufWire.lengthPrefixed(reply.encoded))
                }
                learn(peer)
            }
            await stream.close()
        } catch Libp2pError.streamReset, Libp2pError.connectionClosed, Libp2pError.streamClosedForWriting {
            // The peer went away or gave up on the stream: nothing to refuse.
            stream.reset()
        } catch {
            counters.refusedInbound.wrappingAdd(1, ordering: .relaxed)
            host.logger.debug("DHT stream from \(peer) reset: \(error)")
            stream.reset()
        }
    }

    /// The next request on `stream`, nil when the peer closed it or stayed idle too long.
    private func nextRequest(on stream: Libp2pStream) async throws -> KadMessage? {
        let limit = configuration.inboundIdleTimeout
        return try await withThrowingTaskGroup(of: KadMessage??.self) { group in
            group.addTask { .some(try await Self.readMessageIfAny(from: stream)) }
            group.addTask {
                try await Task.sleep(for: limit)
                return .none
            }
            // Stream reads do not end on cancellation: an idle stream is reset, which fails the read.
            defer { group.cancelAll() }
            guard let first = try await group.next() else { return nil }
            guard let read = first else {
                stream.reset()
                return nil
            }
            return read
        }
    }

    /// What the server does with one request.
    enum InboundAnswer {
        /// Send this answer.
        case reply(KadMessage)
        /// Handled; nothing is sent (ADD_PROVIDER).
        case none
        /// Refused: the stream is reset.
        case refuse
    }

    /// The server's answer to one request from `sender`.
    func answer(_ request: KadMessage, from sender: PeerID) -> InboundAnswer {
        switch request.type {
        case .ping:
            return .reply(KadMessage(type: .ping, key: request.key))
        case .findNode:
            return .reply(KadMessage(type: .findNode, key: request.key, closerPeers: closerPeers(to: request.key, asker: sender, findNode: true)))
        case .getValue:
            return .reply(KadMessage(type: .getValue, key: request.key, closerPeers: closerPeers(to: request.key, asker: sender, findNode: false)))
        case .putValue:
            return .refuse
        case .getProviders:
            guard Self.isMultihash(request.key) else { return .refuse }
            let providers = Array(providerStore.providers(for: request.key).prefix(KadMessage.maxPeers))
            return .reply(KadMessage(type: .getProviders, key: request.key,
                                     closerPeers: closerPeers(to: request.key, asker: sender, findNode: false), providerPeers: providers))
        case .addProvider:
            guard Self.isMultihash(request.key) else { return .refuse }
            // Only the sender may announce itself; records naming others are ignored.
            for provider in request.providerPeers where provider.id == sender && !provider.addresses.isEmpty {
                providerStore.add(key: request.key, provider: provider)
                host.peerStore.addAddresses(provider.addresses, for: sender)
            }
            return .none
        }
    }

    /// The `k` known peers closest to `key` with addresses, never the asker nor ourselves; for
    /// FIND_NODE of our own ID, ourselves; for FIND_NODE of a peer we know, that peer too.
    private func closerPeers(to key: [UInt8], asker: PeerID, findNode: Bool) -> [KadMessage.Peer] {
        if findNode, key == host.peerID.bytes {
            return [KadMessage.Peer(id: host.peerID, addresses: Array(host.listenAddresses.prefix(KadMessage.maxAddressesPerPeer)), connection: .connected)]
        }
        let connected = Set(host.allConnections.map(\.remotePeer))
        func peer(_ id: PeerID, _ addresses: [Multiaddr]) -> KadMessage.Peer? {
            let known = addresses.isEmpty ? host.peerStore.record(for: id)?.addresses ?? [] : addresses
            guard !known.isEmpty else { return nil }
            return KadMessage.Peer(id: id, addresses: Array(known.prefix(KadMessage.maxAddressesPerPeer)),
                                   connection: connected.contains(id) ? .connected : .notConnected)
        }
        var answer = table.closest(to: KadKey(hashing: key), count: configuration.k + 1)
            .filter { $0.peer != asker }
            .prefix(configuration.k)
            .compactMap { peer($0.peer, $0.addresses) }
        if findNode, let target = try? PeerID(bytes: key), target != asker, target != host.peerID,
           !answer.contains(where: { $0.id == target }), let known = peer(target, table.entry(for: target)?.addresses ?? []) {
            answer.append(known)
        }
        return answer
    }

    /// Adds `peer` to the routing table when identify says it is a DHT server and gave addresses.
    private func learn(_ peer: PeerID) {
        guard table.entry(for: peer) == nil, let record = host.peerStore.record(for: peer),
              record.protocols.contains(where: { $0 == Self.protocolID || $0 == Self.lanProtocolID }),
              !record.addresses.isEmpty
        else { return }
        table.add(peer, addresses: record.addresses)
    }

    private static func isMultihash(_ key: [UInt8]) -> Bool {
        key.count <= 80 && (try? Multihash(bytes: key)) != nil
    }
}
