import Multiformats
import NIOCore

extension Libp2pHost {
    // MARK: Protocol router

    /// Routes inbound streams that negotiate `protocolID` to `handler` (replacing any previous one).
    public func setStreamHandler(protocol protocolID: String, handler: @escaping StreamHandler) {
        state.withLock { $0.handlers[protocolID] = handler }
    }

    /// Stops routing `protocolID`; later streams asking for it get `na`.
    public func removeStreamHandler(protocol protocolID: String) {
        state.withLock { _ = $0.handlers.removeValue(forKey: protocolID) }
    }

    /// The protocols we handle, sorted.
    public var supportedProtocols: [String] {
        state.withLock { $0.handlers.keys.sorted() }
    }

    private func handler(for protocolID: String) -> StreamHandler? {
        state.withLock { $0.handlers[protocolID] }
    }

    func handleInbound(_ stream: Libp2pStream) async {
        do {
            let agreed = try await StreamNegotiation.listen(
                stream, supported: { [self] in handler(for: $0) != nil },
                timeout: configuration.negotiationTimeout, maxLineLength: configuration.maxMultistreamLineLength)
            guard let handler = handler(for: agreed) else {
                stream.reset()
                return
            }
            await handler(stream)
        } catch {
            logger.debug("inbound stream from \(stream.remotePeer) failed negotiation: \(error)")
            stream.reset()
        }
    }

    // MARK: Outbound streams

    /// Opens a stream on `connection` and negotiates the first of `protocols` the remote supports.
    public func newStream(on connection: Connection, protocols: [String]) async throws -> Libp2pStream {
        let stream = try await connection.openRawStream()
        do {
            _ = try await StreamNegotiation.dial(stream, proposing: protocols, timeout: configuration.negotiationTimeout, maxLineLength: configuration.maxMultistreamLineLength)
        } catch {
            stream.reset()
            throw error
        }
        return stream
    }

    /// Connects to `address` (or reuses a connection) and opens a stream for `protocolID`.
    public func newStream(to address: Multiaddr, protocol protocolID: String) async throws -> Libp2pStream {
        try await newStream(on: try await connect(to: address), protocols: [protocolID])
    }

    /// Connects to `peer` (or reuses a connection) and opens a stream for one of `protocols`.
    public func newStream(to peer: PeerID, protocols: [String]) async throws -> Libp2pStream {
        try await newStream(on: try await connect(to: peer), protocols: protocols)
    }

    // MARK: Ping and identify

    /// Pings over `/ipfs/ping/1.0.0` `count` times and returns the round-trip times.
    public func ping(_ connection: Connection, count: Int = 1) async throws -> [Duration] {
        let stream = try await newStream(on: connection, protocols: [Ping.protocolID])
        defer { Task { await stream.close() } }
        return try await Ping.run(on: stream, count: count)
    }

    /// Asks the remote for its identify record, stores it in the peer store and returns it.
    @discardableResult
    public func identify(_ connection: Connection) async throws -> IdentifyMessage {
        let stream = try await newStream(on: connection, protocols: [Identify.protocolID])
        let message = try await Identify.receive(on: stream)
        try store(message, from: connection)
        return message
    }

    /// Pushes our current identify record to every connected peer that accepts it.
    public func pushIdentify() async {
        for connection in allConnections {
            do {
                let stream = try await newStream(on: connection, protocols: [Identify.pushProtocolID])
                try await Identify.send(identifyMessage(for: connection), on: stream)
            } catch {
                logger.debug("identify push to \(connection.remotePeer) failed: \(error)")
            }
        }
    }

    /// Our identify record as seen by `connection`'s remote.
    func identifyMessage(for connection: Connection) -> IdentifyMessage {
        IdentifyMessage(
            publicKey: identity.publicKey,
            listenAddresses: listenAddresses,
            protocols: supportedProtocols,
            observedAddress: connection.remoteSocketAddress.flatMap { Multiaddr(tcpSocketAddress: $0) },
            protocolVersion: configuration.protocolVersion,
            agentVersion: configuration.agentVersion)
    }

    private func store(_ message: IdentifyMessage, from connection: Connection) throws {
        if let key = message.publicKey, !connection.remotePeer.matches(key) {
            throw Libp2pError.protocolViolation("identify public key does not match peer \(connection.remotePeer)")
        }
        peerStore.addAddresses(message.listenAddresses, for: connection.remotePeer)
        peerStore.update(connection.remotePeer) { record in
            record.protocols = Array(message.protocols.prefix(PeerStore.maxProtocolsPerPeer))
            record.publicKey = connection.remotePublicKey
            record.agentVersion = message.agentVersion
            record.protocolVersion = message.protocolVersion
            record.observedAddress = message.observedAddress
        }
    }

    func registerBuiltInHandlers() {
        setStreamHandler(protocol: Ping.protocolID) { stream in await Ping.serve(stream) }
        setStreamHandler(protocol: Identify.protocolID) { [weak self] stream in
            guard let self else { return stream.reset() }
            do {
                try await Identify.send(identifyMessage(for: stream.connection), on: stream)
            } catch {
                stream.reset()
            }
        }
        setStreamHandler(protocol: Identify.pushProtocolID) { [weak self] stream in
            guard let self else { return stream.reset() }
            do {
                let message = try await Identify.receive(on: stream)
                try store(message, from: stream.connection)
            } catch {
                stream.reset()
            }
        }
    }
}
