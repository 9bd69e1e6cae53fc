import Foundation
import IPFS
import Multiformats

/// What `ipfs_get` streams.
public enum ContentFormat: Int32, Sendable {
    /// The bytes of a UnixFS file.
    case file = 0
    /// A CARv1 of the DAG under the CID (every block once, depth-first); with a `dag-scope` of
    /// `block` or `entity`, the CAR a trustless gateway answers for the scoped request.
    case car = 1
}

/// Content being fetched and streamed to a module: readable like any other handle.
final class ContentReadResource: ReadableResource, @unchecked Sendable {
    let kind = "ipfs content"
    private let channel: ByteChannel
    private let lock = NSLock()
    private var task: Task<Void, Never>?

    init(hub: ReadinessHub) {
        channel = ByteChannel(capacity: 1 << 20, hub: hub)
    }

    /// Starts fetching `root` (then `path`) for `module` and streaming it in `format`. The bytes
    /// are streamed while the fetch stores the blocks (``ArrivingBlockProvider``), so the module
    /// reads the first ones long before a large DAG is complete; if the fetch fails, the read
    /// fails with the fetch's error after the verified bytes streamed so far.
    func start(content: SharedContent, root: CID, path: String, format: ContentFormat, module: String, timeout: Duration) {
        let channel = self.channel
        let work = Task {
            do {
                try await withTimeLimit(timeout, what: "getting \(root)") {
                    try await Self.fetchWhileStreaming(content: content, root: root, path: path, format: format, module: module, into: channel)
                }
                channel.finish()
            } catch {
                channel.fail(ContentErrors.translate(error, doing: "getting \(root)\(path.isEmpty ? "" : "/" + path)"))
            }
        }
        lock.withLock { task = work }
    }

    /// The fetch (which holds the content for `module`) and the stream from what it has stored so
    /// far, at once (``ArrivingBlockProvider/fetch(into:_:whileReading:incomplete:whenFetched:)``);
    /// the hold is given back when both are over.
    private static func fetchWhileStreaming(content: SharedContent, root: CID, path: String, format: ContentFormat, module: String,
                                            into channel: ByteChannel) async throws {
        try await ArrivingBlockProvider.fetch(
            into: content.store, { try await content.acquire(root, module: module) },
            whileReading: { try await stream($0, root: root, path: path, format: format, into: channel) },
            incomplete: { StationError(.io, "the fetch of \(root) ended without every block") },
            whenFetched: { content.release(root, module: module) })
    }

    /// Starts a scoped read (`dag-scope=block|entity`) for `module`: gets and holds only the blocks
    /// `request` selects, then streams the CAR a trustless gateway answers for it (roots: the
    /// request's CID; blocks: the path's, then the scoped ones), and gives the holds back.
    func start(content: SharedContent, request: GatewayRequest, module: String, timeout: Duration) {
        let channel = self.channel
        let what = "getting /ipfs/\(request.root)\(request.path.map { "/" + $0 }.joined())?dag-scope=\(request.scope.rawValue)"
        let work = Task {
            do {
                try await withTimeLimit(timeout, what: what) {
                    let held = try await content.acquireScoped(request, module: module)
                    defer { content.releaseScoped(held, module: module) }
                    try await Self.streamScoped(content.store, request: request, into: channel)
                }
                channel.finish()
            } catch {
                channel.fail(ContentErrors.translate(error, doing: what))
            }
        }
        lock.withLock { task = work }
    }

    /// The gateway's answer, from the store (where the blocks are now held).
    private static func streamScoped(_ store: BlockStore, request: GatewayRequest, into channel: ByteChannel) async throws {
        let response = try await GatewayResponder(provider: store).respond(to: request)
        guard response.status == 200, let body = response.body else {
            let message = response.message ?? "status \(response.status)"
            switch response.status {
            case 400, 416: throw StationError(.invalidArgument, message)
            case 404: throw StationError(.notFound, message)
            default: throw StationError(.io, message)
            }
        }
        try await body { bytes in try await channel.append(bytes) }
    }

    private static func stream(_ provider: any BlockProvider, root: CID, path: String, format: ContentFormat, into channel: ByteChannel) async throws {
        let exporter = UnixFSExporter(provider: provider)
        let target = path.isEmpty ? root : try await exporter.resolve(root, path: path)
        switch format {
        case .file:
            try await exporter.read(target) { piece in try await channel.append(piece) }
        case .car:
            // The header only once the root is in: a CID no source has fails the first read (the
            // JS fetch answers 502), not after a header that looks like the start of an answer.
            guard try await provider.blockOrIdentity(for: target) != nil else { throw IPFSError.blockNotFound(cid: target.description) }
            let writer = try await CARWriter(roots: [target]) { bytes in try await channel.append(bytes) }
            try await writer.writeDAG(root: target, from: provider)
        }
    }

    var isReady: Bool { channel.isReadable }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(StationError) -> Int {
        try channel.read(into: buffer)
    }

    func close() {
        channel.close()
        lock.withLock { task }?.cancel()
    }
}
