import ListenerSupport
import Logging
import Multiformats
import NIOCore
import NIOPosix
import Synchronization

/// A libp2p node: listens and dials over TCP, secures connections with Noise, multiplexes them
/// with Yamux, routes inbound streams to protocol handlers, and answers identify and ping.
///
/// Everything runs on the `EventLoopGroup` passed in; no method blocks an event loop.
public final class Libp2pHost: Sendable {
    /// Handles one inbound stream whose protocol was negotiated.
    public typealias StreamHandler = @Sendable (Libp2pStream) async -> Void

    struct State {
        var handlers: [String: StreamHandler] = [:]
        var connections: [PeerID: [Connection]] = [:]
        var pending = 0
        /// Inbound handshakes in flight, per remote address.
        var pendingByIP: [RemoteIPKey: Int] = [:]
        /// Established inbound connections, per remote address.
        var inboundByIP: [RemoteIPKey: Int] = [:]
        /// How often `accept` failed on a listener (each failure pauses accepting).
        var acceptErrors = 0
        var listeners: [Channel] = []
        var listenAddresses: [Multiaddr] = []
        var closed = false

        var establishedCount: Int { connections.values.reduce(0) { $0 + $1.count } }
    }

    /// Our identity key.
    public let identity: PrivateKey
    /// Our peer ID.
    public let peerID: PeerID
    /// The event loops all sockets run on.
    public let group: EventLoopGroup
    /// The configuration.
    public let configuration: HostConfiguration
    /// What we know about other peers.
    public let peerStore = PeerStore()
    let state = Mutex(State())
    let logger: Logger

    /// Creates a host; identify, identify push and ping handlers are registered at once.
    public init(identity: PrivateKey = PrivateKey(), group: EventLoopGroup, configuration: HostConfiguration = HostConfiguration(), logger: Logger = Logger(label: "station.libp2p")) {
        self.identity = identity
        peerID = identity.peerID
        self.group = group
        self.configuration = configuration
        self.logger = logger
        registerBuiltInHandlers()
    }

    // MARK: Listening

    /// Socket reads grow up to 1 MiB on busy connections (NIO's default stops at 64 KiB). A Noise
    /// message is up to 65537 bytes on the wire, so with 64 KiB reads almost every message is
    /// split and must be gathered; with large reads only the one at the end of each read is.
    static var receiveAllocator: AdaptiveRecvByteBufferAllocator {
        AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 1 << 20)
    }

    /// Listens on a `/ip4/…/tcp/…` or `/ip6/…/tcp/…` address (port 0 picks a free port) and
    /// returns the bound address.
    @discardableResult
    public func listen(on address: Multiaddr) async throws -> Multiaddr {
        guard let (host, port) = address.tcpHostPort else { throw Libp2pError.unsupportedAddress(address.description) }
        let backoff = TimeAmount(configuration.acceptBackoff)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelInitializer { [self] channel in
                // Without this, NIO retries a failing accept (EMFILE, ENFILE, ENOBUFS) at once and
                // the listener spins a core for as long as the condition lasts.
                channel.eventLoop.makeCompletedFuture {
                    let handler = AcceptPauseHandler(backoff: backoff) { [self] error in
                        let count = state.withLock { state in
                            state.acceptErrors += 1
                            return state.acceptErrors
                        }
                        if count == 1 || count.isMultiple(of: 100) {
                            logger.warning("accepting a libp2p connection failed (\(count) times so far): \(error); pausing accepts for \(backoff)")
                        }
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.recvAllocator, value: Self.receiveAllocator)
            .childChannelInitializer { [self] channel in
                // An unreadable source address cannot be counted per address, so it is refused.
                guard let source = channel.remoteAddress.flatMap(RemoteIPKey.init), beginPending(inboundFrom: source) else {
                    return channel.eventLoop.makeFailedFuture(Libp2pError.connectionLimit("too many pending or open connections"))
                }
                let upgraded = channel.eventLoop.makePromise(of: Connection.self)
                upgraded.futureResult.whenComplete { [self] _ in endPending(inboundFrom: source) }
                return channel.eventLoop.makeCompletedFuture {
                    try installUpgrade(on: channel, isInitiator: false, expectedPeer: nil, promise: upgraded)
                }
            }
        let channel = try await bootstrap.bind(host: host, port: Int(port)).get()
        guard let local = channel.localAddress, let bound = Multiaddr(tcpSocketAddress: local) else {
            channel.close(promise: nil)
            throw Libp2pError.unsupportedAddress(address.description)
        }
        let accepted = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.listeners.append(channel)
            state.listenAddresses.append(bound)
            return true
        }
        guard accepted else {
            channel.close(promise: nil)
            throw Libp2pError.connectionClosed
        }
        return bound
    }

    /// The addresses we listen on.
    public var listenAddresses: [Multiaddr] { state.withLock { $0.listenAddresses } }

    // MARK: Dialling

    /// Dials `address` (`/ip4|ip6|dns…/tcp/PORT[/p2p/ID]`) or reuses a connection to its peer.
    /// With `/p2p/ID`, the remote must prove that identity or the connection is closed with
    /// `Libp2pError.peerIDMismatch`.
    public func connect(to address: Multiaddr) async throws -> Connection {
        let expected: PeerID? = try address.peerID.map { hash throws(Libp2pError) in try PeerID(multihash: hash) }
        if let expected, let existing = connections(to: expected).first {
            return existing
        }
        guard let (host, port) = address.tcpHostPort else { throw Libp2pError.unsupportedAddress(address.description) }
        guard beginPending() else { throw Libp2pError.connectionLimit("too many pending or open connections") }
        let loop = group.next()
        let upgraded = loop.makePromise(of: Connection.self)
        upgraded.futureResult.whenComplete { [self] _ in endPending() }
        let bootstrap = ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.recvAllocator, value: Self.receiveAllocator)
            .connectTimeout(TimeAmount(configuration.handshakeTimeout))
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try installUpgrade(on: channel, isInitiator: true, expectedPeer: expected, promise: upgraded)
                }
            }
        do {
            _ = try await bootstrap.connect(host: host, port: Int(port)).get()
        } catch {
            upgraded.fail(error)
        }
        let connection = try await upgraded.futureResult.get()
        if let expected { peerStore.addAddresses([address.withoutPeerID], for: expected) }
        return connection
    }

    /// Returns a connection to `peer`: an open one, or a new one dialled from the peer store.
    public func connect(to peer: PeerID) async throws -> Connection {
        if let existing = connections(to: peer).first { return existing }
        let addresses = peerStore.record(for: peer)?.addresses ?? []
        guard !addresses.isEmpty else { throw Libp2pError.noAddresses(peer.description) }
        var lastError: Error = Libp2pError.noAddresses(peer.description)
        for address in addresses {
            do {
                return try await connect(to: address.encapsulate(Multiaddr.Component.p2p(peer.multihash)))
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    /// Open connections to `peer`.
    public func connections(to peer: PeerID) -> [Connection] {
        state.withLock { ($0.connections[peer] ?? []).filter(\.isActive) }
    }

    /// All open connections.
    public var allConnections: [Connection] {
        state.withLock { $0.connections.values.flatMap { $0 } }
    }

    // MARK: Shutdown

    /// Stops listening and closes every connection.
    public func close() async {
        let (listeners, connections) = state.withLock { state -> ([Channel], [Connection]) in
            state.closed = true
            let result = (state.listeners, state.connections.values.flatMap { $0 })
            state.listeners.removeAll()
            state.listenAddresses.removeAll()
            return result
        }
        for listener in listeners { try? await listener.close() }
        for connection in connections { await connection.close() }
    }

    // MARK: Connection manager

    /// Takes a handshake slot; `source` (for inbound connections) is also held to the
    /// per-address caps. False when a cap refuses.
    private func beginPending(inboundFrom source: RemoteIPKey? = nil) -> Bool {
        let limits = configuration.limits
        let accepted = state.withLock { state -> Bool in
            guard !state.closed,
                  state.pending < limits.maxPendingConnections,
                  state.pending + state.establishedCount < limits.maxConnections
            else { return false }
            if let source {
                let pending = state.pendingByIP[source, default: 0]
                let established = state.inboundByIP[source, default: 0]
                guard pending < limits.maxPendingConnectionsPerIP,
                      pending + established < limits.maxInboundConnectionsPerIP
                else { return false }
                state.pendingByIP[source] = pending + 1
            }
            state.pending += 1
            return true
        }
        if !accepted, let source {
            logger.debug("refused an inbound connection from \(source): connection limit")
        }
        return accepted
    }

    private func endPending(inboundFrom source: RemoteIPKey? = nil) {
        state.withLock { state in
            state.pending -= 1
            if let source { state.pendingByIP[source] = Self.decremented(state.pendingByIP[source]) }
        }
    }

    /// `count - 1`, or nil (the entry goes) when that reaches zero.
    private static func decremented(_ count: Int?) -> Int? {
        guard let count, count > 1 else { return nil }
        return count - 1
    }

    /// Handshakes in flight (both directions).
    var pendingCount: Int { state.withLock { $0.pending } }

    /// Registers an upgraded connection; false when a cap refuses it.
    private func register(_ connection: Connection) -> Bool {
        // The per-address inbound cap was checked when the connection was accepted (it counts
        // handshakes too); here the connection only moves into the established count.
        let source = connection.direction == .inbound ? connection.remoteSocketAddress.flatMap(RemoteIPKey.init) : nil
        let accepted = state.withLock { state -> Bool in
            let existing = (state.connections[connection.remotePeer] ?? []).filter(\.isActive)
            guard !state.closed,
                  existing.count < configuration.limits.maxConnectionsPerPeer,
                  state.establishedCount < configuration.limits.maxConnections
            else { return false }
            state.connections[connection.remotePeer] = existing + [connection]
            if let source { state.inboundByIP[source, default: 0] += 1 }
            return true
        }
        guard accepted else { return false }
        connection.closeFuture.whenComplete { [self] _ in
            state.withLock { state in
                let remaining = (state.connections[connection.remotePeer] ?? []).filter { $0 !== connection }
                state.connections[connection.remotePeer] = remaining.isEmpty ? nil : remaining
                if let source { state.inboundByIP[source] = Self.decremented(state.inboundByIP[source]) }
            }
        }
        return true
    }

    static let silenceHandlerName = "libp2p.handshake-silence"

    /// Installs the connection upgrade (Noise, then Yamux) on a fresh TCP channel; `promise`
    /// gets the ready connection.
    private func installUpgrade(on channel: Channel, isInitiator: Bool, expectedPeer: PeerID?, promise: EventLoopPromise<Connection>) throws {
        let box = ConnectionBox()
        let onReady: YamuxSession.ReadyCallback = { [self] result in
            switch result {
            case .success(let (session, secured)):
                let connection = Connection(channel: channel, session: session, secured: secured, direction: isInitiator ? .outbound : .inbound)
                guard register(connection) else {
                    promise.fail(Libp2pError.connectionLimit("connection cap reached for \(secured.remotePeer)"))
                    channel.close(promise: nil)
                    return
                }
                box.connection = connection
                session.onInboundStream = { [self] core in
                    guard let connection = box.connection else {
                        core.reset()
                        return
                    }
                    let stream = Libp2pStream(core: core, connection: connection)
                    Task { [self] in await handleInbound(stream) }
                }
                promise.succeed(connection)
                if configuration.identifyOnConnect {
                    Task { [self] in await identifyInBackground(connection) }
                }
            case .failure(let error):
                promise.fail(error)
            }
        }
        let timeout = configuration.handshakeTimeout
        let deadline = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            promise.fail(Libp2pError.timeout("connection handshake"))
            channel.close(promise: nil)
        }
        promise.futureResult.whenComplete { _ in deadline.cancel() }
        channel.closeFuture.whenComplete { _ in promise.fail(Libp2pError.connectionClosed) }
        if !isInitiator {
            // A silent remote gives up its handshake slot long before the handshake deadline.
            let silence = HandshakeSilenceHandler(timeout: TimeAmount(configuration.silentPeerTimeout)) { [logger] in
                logger.debug("closing an inbound connection from \(channel.remoteAddress.map { "\($0)" } ?? "?"): silent during the handshake")
                promise.fail(Libp2pError.timeout("remote silent during the connection handshake"))
                channel.close(promise: nil)
            }
            try channel.pipeline.syncOperations.addHandler(silence, name: Self.silenceHandlerName)
            promise.futureResult.whenComplete { _ in
                // Runs on the channel's loop (the promise was made there); after a close the
                // handler is already gone and the removal fails harmlessly.
                channel.pipeline.syncOperations.removeHandler(name: Self.silenceHandlerName, promise: nil)
            }
        }
        try ConnectionUpgrade.install(
            on: channel, identity: identity, isInitiator: isInitiator, expectedPeer: expectedPeer,
            yamux: configuration.yamux, maxLineLength: configuration.maxMultistreamLineLength, onReady: onReady
        )
    }

    private func identifyInBackground(_ connection: Connection) async {
        do {
            _ = try await identify(connection)
        } catch {
            logger.debug("identify with \(connection.remotePeer) failed: \(error)")
        }
    }
}

/// Holds the connection once the upgrade finished, for the inbound-stream callback
/// (touched only on the connection's event loop).
final class ConnectionBox: @unchecked Sendable {
    var connection: Connection?
}
