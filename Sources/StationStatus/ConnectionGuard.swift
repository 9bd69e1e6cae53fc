import Foundation
import Logging
import NIOCore
import NIOHTTPTypes
import Synchronization

/// How many connections the status server keeps open and for how long.
///
/// The defaults suit what talks to the API (a dashboard tab or two, the CLI, a Prometheus
/// scraper) and keep the server far below macOS's default limit of 256 open files, whatever a
/// local process does to it.
public struct StatusServerLimits: Sendable, Hashable {
    /// A connection that has sent no complete request part for this long is closed (between
    /// requests, and while a request head is still arriving). A request being answered is never
    /// cut. Default 15 s.
    public var idleTimeout: Duration
    /// Open connections over all clients. Default 64.
    public var maxConnections: Int
    /// Open connections from one client IP address. Default 32.
    public var maxConnectionsPerClient: Int
    /// How long the server stops accepting after `accept` failed for lack of resources
    /// (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`). Default 1 s.
    public var acceptBackoff: Duration

    /// - Parameters: see the properties; counts below 1 count as 1, durations below 1 ms as 1 ms.
    public init(idleTimeout: Duration = .seconds(15), maxConnections: Int = 64, maxConnectionsPerClient: Int = 32, acceptBackoff: Duration = .seconds(1)) {
        self.idleTimeout = max(idleTimeout, .milliseconds(1))
        self.maxConnections = max(1, maxConnections)
        self.maxConnectionsPerClient = max(1, maxConnectionsPerClient)
        self.acceptBackoff = max(acceptBackoff, .milliseconds(1))
    }
}

/// The status server's open connections: who they come from and whether a request is being
/// answered on them. Shared by the server channel's ``ConnectionGuardHandler`` (admission) and
/// each connection's ``RequestTracker``, which run on different event loops, hence the lock.
final class ConnectionRegistry: Sendable {
    /// What to do with a new connection.
    enum Admission {
        /// Serve it; close these idle connections first (already forgotten here).
        case accept(evicting: [any Channel])
        /// Close it: its client (or the server) is at its cap with requests in flight everywhere.
        case refuse(String)
    }

    private struct Connection {
        let channel: any Channel
        let client: String
        var requestsInFlight = 0
        /// When it was opened or last finished a request (a sequence number, not a time).
        var lastUsed: UInt64
    }

    private struct State {
        var connections: [ObjectIdentifier: Connection] = [:]
        var perClient: [String: Int] = [:]
        var sequence: UInt64 = 0

        mutating func tick() -> UInt64 {
            sequence &+= 1
            return sequence
        }

        /// The connection that has waited longest without a request in flight.
        func oldestIdle(from client: String?) -> ObjectIdentifier? {
            connections.filter { $0.value.requestsInFlight == 0 && (client == nil || $0.value.client == client) }
                .min { $0.value.lastUsed < $1.value.lastUsed }?.key
        }

        @discardableResult
        mutating func remove(_ id: ObjectIdentifier) -> Connection? {
            guard let connection = connections.removeValue(forKey: id) else { return nil }
            let left = (perClient[connection.client] ?? 1) - 1
            perClient[connection.client] = left > 0 ? left : nil
            return connection
        }
    }

    let maxConnections: Int
    let maxConnectionsPerClient: Int
    private let state = Mutex(State())

    init(limits: StatusServerLimits) {
        self.maxConnections = limits.maxConnections
        self.maxConnectionsPerClient = limits.maxConnectionsPerClient
    }

    /// Decides on a new connection from `client` and records it when accepted.
    ///
    /// At a cap, the connection that has been idle longest makes room (first the client's own,
    /// then anyone's): idle connections are all an attacker can hold without the token, so they
    /// never lock out a client that comes to send a request. Connections with a request in
    /// flight are never closed; when every connection is busy the new one is refused.
    func admit(_ channel: any Channel, client: String) -> Admission {
        state.withLock { state in
            var evicted: [any Channel] = []
            if state.perClient[client, default: 0] >= maxConnectionsPerClient {
                guard let victim = state.oldestIdle(from: client), let gone = state.remove(victim) else {
                    return .refuse("\(client) has \(maxConnectionsPerClient) connections with requests in flight")
                }
                evicted.append(gone.channel)
            }
            if state.connections.count >= maxConnections {
                guard let victim = state.oldestIdle(from: nil), let gone = state.remove(victim) else {
                    return .refuse("all \(maxConnections) connections have requests in flight")
                }
                evicted.append(gone.channel)
            }
            let now = state.tick()
            state.connections[ObjectIdentifier(channel)] = Connection(channel: channel, client: client, lastUsed: now)
            state.perClient[client, default: 0] += 1
            return .accept(evicting: evicted)
        }
    }

    /// Forgets a closed (or evicted) connection; calling it twice is harmless.
    func remove(_ channel: any Channel) {
        state.withLock { _ = $0.remove(ObjectIdentifier(channel)) }
    }

    /// A request head arrived on `channel`: it is busy until its response has been written.
    func requestStarted(on channel: any Channel) {
        state.withLock { state in
            state.connections[ObjectIdentifier(channel)]?.requestsInFlight += 1
        }
    }

    /// The response's last part was written on `channel`.
    func requestFinished(on channel: any Channel) {
        state.withLock { state in
            let now = state.tick()
            guard var connection = state.connections[ObjectIdentifier(channel)] else { return }
            connection.requestsInFlight = max(0, connection.requestsInFlight - 1)
            connection.lastUsed = now
            state.connections[ObjectIdentifier(channel)] = connection
        }
    }

    /// Open connections now: in all, and per client address.
    var counts: (total: Int, perClient: [String: Int]) {
        state.withLock { ($0.connections.count, $0.perClient) }
    }
}

/// Sits on the status server's listening channel: caps connections (overall and per client
/// address). Accept back-off on resource errors is ``AcceptPauseHandler``'s job, beside it.
///
/// Hand-written because Hummingbird 2.28 offers no such cap: its `availableConnectionsDelegate`
/// only stops accepting at a total (new clients then wait in the kernel's backlog behind idle
/// connections), knows no per-client count, and cannot tell an idle connection from a busy one.
final class ConnectionGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let registry: ConnectionRegistry
    private let logger: Logger

    init(registry: ConnectionRegistry, logger: Logger) {
        self.registry = registry
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = unwrapInboundIn(data)
        let client = child.remoteAddress?.ipAddress ?? "unknown"
        switch registry.admit(child, client: client) {
        case .refuse(let reason):
            logger.debug("status API connection refused", metadata: ["client": "\(client)", "reason": "\(reason)"])
            // Not registered yet: closing releases the descriptor and the client sees the close.
            child.close(promise: nil)
        case .accept(let evicted):
            for victim in evicted {
                logger.debug("status API idle connection closed to make room", metadata: ["client": "\(victim.remoteAddress?.ipAddress ?? "unknown")"])
                victim.close(promise: nil)
            }
            let registry = self.registry
            child.closeFuture.whenComplete { _ in registry.remove(child) }
            context.fireChannelRead(data)
        }
    }
}

/// One per connection, between the HTTP codec and Hummingbird's request handling: tells the
/// ``ConnectionRegistry`` when a request is in flight, so only idle connections make room.
final class RequestTracker: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let registry: ConnectionRegistry

    init(registry: ConnectionRegistry) {
        self.registry = registry
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { registry.requestStarted(on: context.channel) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { registry.requestFinished(on: context.channel) }
        context.write(data, promise: promise)
    }
}
