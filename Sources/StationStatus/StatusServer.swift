import Foundation
import Hummingbird
import ListenerSupport
import Logging
import NIOCore
import NetworkAddresses
import ServiceLifecycle

/// Why the status server could not start.
public enum StatusServerError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The configured address is not a loopback address; the status API never listens elsewhere.
    case notLoopback(String)
    /// Another process already listens on the address.
    case addressInUse(host: String, port: Int)
    /// Binding failed for another reason.
    case bindFailed(host: String, port: Int, reason: String)
    /// ``StatusServer/start()`` was called on a server that is running or was stopped.
    case alreadyStarted
    /// The port is outside 0...65535.
    case invalidPort(Int)

    public var description: String {
        switch self {
        case .notLoopback(let host):
            "the status API only listens on loopback addresses (127.0.0.1, ::1, localhost), not '\(host)'; set [status] listen in station.toml to a loopback address"
        case .addressInUse(let host, let port):
            "\(StatusServer.authority(host: host, port: port)) is in use; set [status] listen in station.toml or stop the other daemon"
        case .bindFailed(let host, let port, let reason):
            "cannot listen on \(StatusServer.authority(host: host, port: port)): \(reason)"
        case .alreadyStarted:
            "the status server was already started"
        case .invalidPort(let port):
            "status port \(port) is outside 0...65535"
        }
    }
}

/// The daemon's local status API: the dashboard page, JSON endpoints and Prometheus metrics.
///
/// It serves whatever its ``StatusProvider`` reports and knows nothing else of the runtime. It
/// only binds loopback addresses, requires the bearer token on every route except the dashboard
/// page itself, and rejects requests whose `Host` is not a loopback name (DNS rebinding) and
/// POSTs from foreign origins.
///
/// ```swift
/// let server = StatusServer(provider: daemon, port: 0, token: StatusToken.generate(), logger: logger)
/// let port = try await server.start()
/// ...
/// await server.stop()
/// ```
///
/// Routes: see `docs/status-api.md`.
public actor StatusServer {
    /// The largest request body accepted (bigger ones get 413).
    public static let maxBodyBytes = 64 * 1024

    private let provider: any StatusProvider
    private let host: String
    private let port: Int
    private let token: String
    private let logger: Logger
    /// The connection limits this server applies.
    public nonisolated let limits: StatusServerLimits
    /// The open connections (shared with the handlers on the server's event loops).
    nonisolated let connections: ConnectionRegistry
    private var task: Task<Void, Never>?
    private var group: ServiceGroup?
    private var started = false
    /// The listening channel while running (tests reach its pipeline).
    private(set) var serverChannel: (any Channel)?
    /// The port the server listens on, once ``start()`` returned.
    public private(set) var boundPort: Int?

    /// Creates a server; nothing is bound until ``start()``.
    /// - Parameters:
    ///   - provider: Where snapshots, activity and actions come from.
    ///   - host: A loopback address or `localhost`.
    ///   - port: The TCP port; 0 picks a free one (``start()`` returns it).
    ///   - token: The bearer token clients must present (see ``StatusToken/generate()``).
    ///   - limits: Idle timeout and connection caps (see ``StatusServerLimits`` for the defaults).
    ///   - logger: For server errors.
    public init(provider: any StatusProvider, host: String = "127.0.0.1", port: Int, token: String, limits: StatusServerLimits = StatusServerLimits(), logger: Logger) {
        self.provider = provider
        self.host = host
        self.port = port
        self.token = token
        self.limits = limits
        self.connections = ConnectionRegistry(limits: limits)
        self.logger = logger
    }

    /// The base URL of the running server, e.g. `http://127.0.0.1:7834`.
    public var url: String? {
        boundPort.map { "http://\(Self.authority(host: host, port: $0))" }
    }

    /// Binds the address and starts serving in a task this server owns.
    /// - Returns: The bound port (the chosen one when the server was created with port 0).
    /// - Throws: ``StatusServerError`` when the host is not loopback or the port is taken.
    public func start() async throws -> Int {
        guard !started else { throw StatusServerError.alreadyStarted }
        guard HostAuthority.isLoopback(host: host) else { throw StatusServerError.notLoopback(host) }
        guard (0...65535).contains(port) else { throw StatusServerError.invalidPort(port) }
        started = true

        let (events, continuation) = AsyncStream<Result<any Channel, any Error>>.makeStream()
        let router = StatusAPI.router(provider: provider, token: token)
        let registry = connections, limits = self.limits, logger = self.logger
        let app = Application(
            router: router,
            // Hummingbird's own idle timeout; a RequestTracker per connection tells the
            // connection guard which connections are busy.
            server: .http1(configuration: .init(
                additionalChannelHandlers: [RequestTracker(registry: registry)],
                idleTimeout: TimeAmount(limits.idleTimeout))),
            configuration: .init(address: .hostname(Self.bindHost(host), port: port), serverName: nil, reuseAddress: true),
            onServerRunning: { channel in
                // Hummingbird has no hook for handlers on the listening channel, so the guard
                // goes first in its pipeline here, before the port is reported. (Connections
                // accepted in the moment between bind and this call escape the caps, not the
                // idle timeout.)
                do {
                    try await channel.eventLoop.submit {
                        try channel.pipeline.syncOperations.addHandlers(
                            [Self.acceptPause(limits.acceptBackoff, logger: logger), ConnectionGuardHandler(registry: registry, logger: logger)],
                            position: .first)
                    }.get()
                } catch {
                    logger.error("status API: cannot install the connection guard: \(error)")
                }
                continuation.yield(.success(channel))
            },
            eventLoopGroupProvider: .singleton,
            logger: logger
        )
        var configuration = ServiceGroupConfiguration(services: [.init(service: app)], logger: logger)
        // Stop waits for requests in flight this long, then cancels them.
        configuration.maximumGracefulShutdownDuration = .seconds(5)
        configuration.maximumCancellationDuration = .seconds(5)
        let group = ServiceGroup(configuration: configuration)
        self.group = group
        let host = self.host, port = self.port
        task = Task {
            do {
                try await group.run()
                continuation.yield(.failure(StatusServerError.bindFailed(host: host, port: port, reason: "the server stopped before it was listening")))
            } catch {
                continuation.yield(.failure(error))
            }
            continuation.finish()
        }
        var outcome: Result<any Channel, any Error> = .failure(StatusServerError.bindFailed(host: host, port: port, reason: "the server ended without a result"))
        for await event in events {
            outcome = event
            break
        }
        switch outcome {
        case .success(let channel):
            let bound = channel.localAddress?.port ?? 0
            serverChannel = channel
            boundPort = bound
            return bound
        case .failure(let error):
            task?.cancel()
            await task?.value
            task = nil
            self.group = nil
            throw Self.describeBindError(error, host: host, port: port)
        }
    }

    /// Stops listening, lets requests in flight finish (up to 5 s), closes idle connections and
    /// waits until the server task has finished.
    public func stop() async {
        guard let task else { return }
        await group?.triggerGracefulShutdown()
        await task.value
        self.task = nil
        self.group = nil
        serverChannel = nil
        boundPort = nil
    }

    // MARK: - Helpers

    /// The listener's accept back-off, warning at most once a minute.
    static func acceptPause(_ backoff: Duration, logger: Logger) -> AcceptPauseHandler {
        var lastWarning: NIODeadline?
        let pause = TimeAmount(backoff)
        return AcceptPauseHandler(backoff: pause) { error in
            let now = NIODeadline.now()
            guard lastWarning.map({ now - $0 >= .seconds(60) }) ?? true else { return }
            lastWarning = now
            logger.warning("status API cannot accept connections (\(error)); pausing accepts for \(pause.nanoseconds / 1_000_000) ms at a time")
        }
    }

    static func describeBindError(_ error: any Error, host: String, port: Int) -> any Error {
        if let error = error as? StatusServerError { return error }
        if let io = error as? IOError {
            if io.errnoCode == EADDRINUSE { return StatusServerError.addressInUse(host: host, port: port) }
            return StatusServerError.bindFailed(host: host, port: port, reason: "\(io)")
        }
        let text = "\(error)"
        if text.contains("Address already in use") { return StatusServerError.addressInUse(host: host, port: port) }
        return StatusServerError.bindFailed(host: host, port: port, reason: text)
    }

    /// The address to bind for a loopback `host`: an address as written; a loopback name
    /// (`localhost`, `*.localhost`) as 127.0.0.1, never through the resolver, so a hosts file
    /// cannot point the listener at another interface.
    static func bindHost(_ host: String) -> String {
        IPAddress(strict: host) != nil ? host : "127.0.0.1"
    }

    /// `host:port`, with brackets around IPv6 addresses.
    static func authority(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
