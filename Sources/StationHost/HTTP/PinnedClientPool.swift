import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import NetworkAddresses
import Synchronization

/// The `HTTPClient`s of one fetcher, one per (host name, checked address).
///
/// Each client resolves nothing itself: its `dnsOverride` maps the host name to the address the
/// policy checked, so the connection goes exactly there while TLS still sends SNI for, and
/// verifies the certificate against, the real host name. Clients never follow redirects (the
/// fetcher does, re-checking each hop). Idle clients are shut down when the pool grows past
/// ``capacity``.
final class PinnedClientPool: Sendable {
    private struct State {
        var clients: [String: (client: HTTPClient, leases: Int)] = [:]
        var isShutDown = false
    }

    /// Most clients kept at once (idle ones beyond this are shut down).
    let capacity: Int
    private let eventLoopGroup: any EventLoopGroup
    private let baseConfiguration: HTTPClient.Configuration
    private let state = Mutex(State())

    init(eventLoopGroup: any EventLoopGroup, limits: NetworkLimits, tlsConfiguration: TLSConfiguration, capacity: Int = 128) {
        self.eventLoopGroup = eventLoopGroup
        self.capacity = max(1, capacity)
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tlsConfiguration,
            redirectConfiguration: .disallow,
            timeout: .init(connect: TimeAmount(limits.connectTimeout), read: nil),
            connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, limits.maxConnectionsPerHost)),
            proxy: nil,
            decompression: .disabled)
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .http1Only
        baseConfiguration = configuration
    }

    /// A client pinned to `address` for `host`; call ``returnClient(host:address:)`` when done.
    /// Throws `.cancelled` after ``shutdown()``.
    func borrowClient(host: NormalizedHost, address: IPAddress) throws(StationError) -> HTTPClient {
        let key = Self.key(host: host, address: address)
        var evicted: [HTTPClient] = []
        let client: HTTPClient? = state.withLock { state in
            if state.isShutDown { return nil }
            if let entry = state.clients[key] {
                state.clients[key] = (entry.client, entry.leases + 1)
                return entry.client
            }
            if state.clients.count >= capacity {
                for (idleKey, entry) in state.clients where entry.leases == 0 {
                    evicted.append(entry.client)
                    state.clients[idleKey] = nil
                }
            }
            var configuration = baseConfiguration
            if case .name(let name) = host { configuration.dnsOverride = [name: address.description] }
            let created = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: configuration)
            state.clients[key] = (created, 1)
            return created
        }
        for old in evicted {
            Task { try? await old.shutdown() }
        }
        guard let client else { throw StationError(.cancelled, "the module's HTTP client has been shut down") }
        return client
    }

    /// Gives back a client borrowed with ``borrowClient(host:address:)``.
    func returnClient(host: NormalizedHost, address: IPAddress) {
        let key = Self.key(host: host, address: address)
        state.withLock { state in
            if let entry = state.clients[key] { state.clients[key] = (entry.client, max(0, entry.leases - 1)) }
        }
    }

    /// Number of clients alive.
    var count: Int { state.withLock { $0.clients.count } }

    /// Shuts every client down, failing whatever they still run; blocks until done.
    func shutdown() {
        let all: [HTTPClient] = state.withLock { state in
            state.isShutDown = true
            let values = state.clients.values.map(\.client)
            state.clients = [:]
            return values
        }
        for client in all { try? client.syncShutdown() }
    }

    deinit {
        // A pool dropped without shutdown(): shut its clients down in the background (each task
        // keeps its client alive until it has shut down).
        for entry in state.withLock({ $0.clients.values }) {
            let client = entry.client
            Task { try? await client.shutdown() }
        }
    }

    private static func key(host: NormalizedHost, address: IPAddress) -> String {
        switch host {
        case .name(let name): "\(name)|\(address)"
        case .address: "|\(address)"
        }
    }
}
