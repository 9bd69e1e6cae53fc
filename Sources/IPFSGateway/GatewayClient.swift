import AsyncHTTPClient
import Foundation
import IPFS
import Multiformats
import NIOCore

/// What a successful gateway fetch produced.
public struct GatewayFetchResult: Sendable, Equatable {
    /// The base URL of the gateway that answered.
    public var gateway: String
    /// The verified blocks now stored and held for the module (release them or pin something).
    public var held: [CID]
    /// Body bytes received from that gateway.
    public var bytesReceived: UInt64
    /// The gateways tried before it, and why they failed.
    public var earlierFailures: [GatewayAttemptFailure]
}

/// A trustless gateway client: asks several HTTP gateways in turn for a CAR or a
/// raw block and trusts nothing it receives.
///
/// Every block is hashed against its CID as it arrives, the DAG is walked from the requested root
/// with the request's path and scope, and an incomplete CAR, a CAR with extra blocks, a wrong
/// status or content type, or a timeout (connect, idle, total) makes the client move on to the
/// next gateway. Blocks of a failed attempt are released, so they become garbage.
public final class TrustlessGatewayClient: Sendable {
    /// The gateways, tried in this order (base URLs without a trailing slash).
    public let gateways: [String]
    /// The time limits.
    public let configuration: GatewayClientConfiguration
    private let http: HTTPClient
    private let verifier: GatewayResponseVerifier

    /// Creates a client for `gateways` (e.g. `http://127.0.0.1:8080`).
    /// - Throws: `GatewayClientError.noGateways` or `.invalidGatewayURL`.
    public init(
        gateways: [String], configuration: GatewayClientConfiguration = GatewayClientConfiguration(),
        limits: UnixFSExportLimits = UnixFSExportLimits()
    ) throws(GatewayClientError) {
        guard !gateways.isEmpty else { throw .noGateways }
        var bases: [String] = []
        for text in gateways {
            guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
                  scheme == "http" || scheme == "https", url.host != nil, url.query == nil
            else { throw .invalidGatewayURL(text) }
            var base = text
            while base.hasSuffix("/") { base.removeLast() }
            bases.append(base)
        }
        self.gateways = bases
        self.configuration = configuration
        self.verifier = GatewayResponseVerifier(limits: limits)
        var http = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: TimeAmount(configuration.connectTimeout), read: TimeAmount(configuration.idleTimeout)))
        http.connectionPool = .init(idleTimeout: .seconds(30))
        // A refused connection fails this gateway at once (AsyncHTTPClient would otherwise retry
        // until the connect timeout); the next gateway is the retry.
        http.connectionPool.retryConnectionEstablishment = false
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
    }

    /// Closes the client's connections. Call once, when done.
    public func shutdown() async {
        try? await http.shutdown()
    }

    /// Fetches `request` as a CAR (its format is forced to `car`), verifies it and stores its
    /// blocks in `store`, held for `module`.
    /// - Parameter progress: called with the total body bytes received so far from the current gateway.
    /// - Throws: `GatewayClientError.allGatewaysFailed` when no gateway delivered a valid CAR; store
    ///   errors that another gateway cannot fix (quota, capacity, disk) are thrown at once.
    public func fetchCAR(
        _ request: GatewayRequest, into store: BlockStore, module: String,
        progress: (@Sendable (UInt64) -> Void)? = nil
    ) async throws -> GatewayFetchResult {
        var asCAR = request
        asCAR.format = .car
        let carRequest = asCAR
        var failures: [GatewayAttemptFailure] = []
        for gateway in gateways {
            do {
                let (held, bytes) = try await withTotalTimeout {
                    try await self.attemptCAR(carRequest, from: gateway, into: store, module: module, progress: progress)
                }
                return GatewayFetchResult(gateway: gateway, held: held, bytesReceived: bytes, earlierFailures: failures)
            } catch {
                try Self.rethrowIfFinal(error)
                failures.append(GatewayAttemptFailure(gateway: gateway, reason: describe(error)))
            }
        }
        throw GatewayClientError.allGatewaysFailed(failures)
    }

    /// Fetches the single block `cid` (`format=raw`) and checks it hashes to `cid`. An identity
    /// CID is answered from the CID itself, without asking any gateway.
    /// - Parameter maxSize: the largest block accepted (default 2 MiB, the Bitswap limit).
    public func fetchBlock(_ cid: CID, maxSize: Int = 2 << 20) async throws -> Block {
        if let inline = Block.inline(cid) { return inline }
        let request = GatewayRequest(root: cid, format: .raw)
        var failures: [GatewayAttemptFailure] = []
        for gateway in gateways {
            do {
                return try await withTotalTimeout {
                    try await self.attemptRaw(request, from: gateway, maxSize: maxSize)
                }
            } catch {
                try Self.rethrowIfFinal(error)
                failures.append(GatewayAttemptFailure(gateway: gateway, reason: describe(error)))
            }
        }
        throw GatewayClientError.allGatewaysFailed(failures)
    }

    // MARK: One gateway

    private func attemptCAR(
        _ request: GatewayRequest, from gateway: String, into store: BlockStore, module: String,
        progress: (@Sendable (UInt64) -> Void)?
    ) async throws -> ([CID], UInt64) {
        let response = try await send(request, to: gateway)
        let counter = ByteCounter(progress)
        let chunks = response.body.map { buffer -> [UInt8] in
            counter.add(buffer.readableBytes)
            return Array(buffer.readableBytesView)
        }
        let held = try await verifier.verifyCAR(AsyncSequenceByteSource(chunks), for: request, into: store, module: module)
        return (held, counter.total)
    }

    private func attemptRaw(_ request: GatewayRequest, from gateway: String, maxSize: Int) async throws -> Block {
        let response = try await send(request, to: gateway)
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: maxSize)
        } catch is NIOTooManyBytesError {
            throw GatewayClientError.bodyTooLarge(limit: maxSize)
        }
        return try verifier.verifyRaw(Array(body.readableBytesView), for: request)
    }

    /// Sends the GET and checks status and content type.
    private func send(_ request: GatewayRequest, to gateway: String) async throws -> HTTPClientResponse {
        var http = HTTPClientRequest(url: gateway + request.target)
        http.method = .GET
        http.headers.add(name: "Accept", value: request.format.mediaType)
        let response = try await self.http.execute(http, deadline: .now() + TimeAmount(configuration.totalTimeout))
        guard response.status.code == 200 else {
            let text = (try? await response.body.collect(upTo: 4096)).map { String(buffer: $0) } ?? ""
            throw GatewayClientError.badStatus(Int(response.status.code), message: text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let type = response.headers.first(name: "content-type") ?? ""
        guard type.lowercased().hasPrefix(request.format.mediaType) else {
            throw GatewayClientError.wrongContentType(type)
        }
        return response
    }

    /// Runs `body`, giving up after the total timeout (the body is cancelled).
    private func withTotalTimeout<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let limit = configuration.totalTimeout
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            if let first = try await group.next(), let value = first { return value }
            throw GatewayClientError.timedOut(after: limit)
        }
    }

    // MARK: Errors

    /// Throws errors that trying another gateway cannot fix: our own cancellation and local store failures.
    private static func rethrowIfFinal(_ error: Error) throws {
        if error is CancellationError { throw error }
        guard let error = error as? IPFSError else { return }
        switch error {
        case .moduleQuotaExceeded, .storeCapacityExceeded, .io, .corruptIndex: throw error
        default: return
        }
    }

    private func describe(_ error: Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return GatewayClientError.connectTimedOut(after: configuration.connectTimeout).description
            case .readTimeout: return GatewayClientError.idleTimedOut(after: configuration.idleTimeout).description
            case .deadlineExceeded: return GatewayClientError.timedOut(after: configuration.totalTimeout).description
            case .remoteConnectionClosed: return "gateway closed the connection before the response was complete"
            default: return "\(error)"
            }
        }
        return String(describing: error)
    }
}

/// Counts body bytes for one attempt and reports the running total (used by one task at a time).
private final class ByteCounter: @unchecked Sendable {
    private let progress: (@Sendable (UInt64) -> Void)?
    private(set) var total: UInt64 = 0

    init(_ progress: (@Sendable (UInt64) -> Void)?) { self.progress = progress }

    func add(_ count: Int) {
        total += UInt64(count)
        progress?(total)
    }
}
