import Multiformats

/// A trustless gateway response, transport-neutral: status, headers and a body writer.
public struct GatewayResponse: Sendable {
    /// HTTP status code.
    public var status: Int
    /// Response headers.
    public var headers: [(String, String)]
    /// Writes the body to a sink, piece by piece (nil for bodiless or error responses with `message`).
    public var body: (@Sendable (_ sink: @escaping ([UInt8]) async throws -> Void) async throws -> Void)?
    /// A short text body for errors.
    public var message: String?
}

/// Answers trustless gateway requests from a block provider.
///
/// Everything that can fail before the first byte (bad request, unknown root, path not found) is
/// checked first and becomes an error status; the body then streams the CAR (or the raw block).
///
/// Status codes before the body: 400 for a malformed request or a path that cannot be followed
/// (through a file, deeper than `limits.maxDepth`, through a node that is not valid UnixFS), and
/// for an `entity-bytes` range entirely outside the file; 404 when the root or a path segment
/// names nothing; 500 for local store failures; 502 only when the provider failed to get a block
/// from elsewhere (a network error or bytes that do not match their CID).
public struct GatewayResponder: Sendable {
    /// Where blocks come from (usually the shared `BlockStore`).
    public let provider: BlockProvider
    /// Limits for hostile DAGs.
    public let limits: UnixFSExportLimits

    /// Creates a responder.
    public init(provider: BlockProvider, limits: UnixFSExportLimits = UnixFSExportLimits()) {
        self.provider = provider
        self.limits = limits
    }

    /// Parses a request target and answers it.
    public func respond(target: String, accept: String? = nil) async -> GatewayResponse {
        let request: GatewayRequest
        do {
            request = try GatewayRequest(target: target, accept: accept)
        } catch {
            return Self.failure(error)
        }
        return await answer(request)
    }

    /// Answers a parsed request. Never throws: every failure before the body is an error response.
    public func respond(to request: GatewayRequest) async throws -> GatewayResponse {
        await answer(request)
    }

    private func answer(_ request: GatewayRequest) async -> GatewayResponse {
        let walker = ScopedDAGWalker(provider: provider, limits: limits)
        var terminal = request.root
        do {
            if !request.path.isEmpty {
                terminal = try await UnixFSExporter(provider: provider, limits: limits)
                    .resolve(request.root, path: request.path.joined(separator: "/"))
            }
            guard let block = try await provider.blockOrIdentity(for: terminal) else {
                throw IPFSError.blockNotFound(cid: terminal.description)
            }
            if request.format == .car, request.scope == .entity, let range = request.entityBytes {
                try Self.checkRange(range, of: block)
            }
        } catch {
            return Self.failure(error)
        }
        var headers: [(String, String)] = [
            ("Content-Type", request.format.mediaType),
            ("X-Content-Type-Options", "nosniff"),
            ("Cache-Control", "public, max-age=29030400, immutable"),
            ("X-Ipfs-Roots", terminal.description),
        ]
        switch request.format {
        case .raw:
            let cid = terminal
            let provider = provider
            headers.append(("Content-Disposition", "attachment; filename=\"\(cid).bin\""))
            return GatewayResponse(status: 200, headers: headers, body: { sink in
                guard let block = try await provider.blockOrIdentity(for: cid) else {
                    throw IPFSError.blockNotFound(cid: cid.description)
                }
                try await sink(block.data)
            }, message: nil)
        case .car:
            headers[0].1 = "application/vnd.ipld.car; version=1; order=dfs; dups=n"
            headers.append(("Content-Disposition", "attachment; filename=\"\(terminal).car\""))
            return GatewayResponse(status: 200, headers: headers, body: { sink in
                let writer = try await CARWriter(roots: [request.root], sink: sink)
                try await walker.walk(request) { block in try await writer.write(block) }
            }, message: nil)
        }
    }

    /// Refuses (400) an `entity-bytes` range that selects nothing of a non-empty file, as the
    /// spec asks when the gateway can tell before sending anything. Other entities ignore the range.
    private static func checkRange(_ range: EntityBytes, of block: Block) throws(IPFSError) {
        let size: UInt64
        switch block.cid.contentCodec {
        case .raw:
            size = UInt64(block.data.count)
        case .dagPB:
            let node = try DagPBNode(decoding: block.data)
            guard let data = node.data else { return }
            let unixfs = try UnixFSData(decoding: data)
            guard unixfs.kind == .file || unixfs.kind == .raw else { return }
            var total = UInt64(unixfs.data?.count ?? 0)
            for part in unixfs.blockSizes {
                let (next, overflow) = total.addingReportingOverflow(part)
                guard !overflow else { throw .invalidUnixFS("block sizes overflow") }
                total = next
            }
            size = unixfs.fileSize ?? total
        default:
            return
        }
        if size > 0, range.resolved(fileSize: size).isEmpty {
            throw .invalidOption("entity-bytes \(range.text) selects nothing of a file of \(size) bytes")
        }
    }

    /// The error response for a failure before the body (see the type's comment for the mapping).
    static func failure(_ error: any Error) -> GatewayResponse {
        let status: Int
        switch error {
        case let error as IPFSError:
            status = Self.status(for: error)
        case is CancellationError:
            status = 503
        default:
            // Not an IPFS error: the provider failed to reach whatever it fetches from.
            status = 502
        }
        return GatewayResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: nil, message: "\(error)")
    }

    /// The HTTP status for an IPFS error met before the body.
    static func status(for error: IPFSError) -> Int {
        switch error {
        // The request cannot be answered as asked: the client's mistake.
        case .invalidOption, .unsafeEntryName, .multiformats, .tooDeep, .wrongNodeKind, .tooManyLinks, .tooManyBlockLoads,
             .invalidDagPB, .invalidUnixFS, .unsupportedCodec, .unsupportedHashFunction:
            return 400
        case .pathNotFound, .blockNotFound, .incompleteDAG, .incompleteCAR:
            return 404
        case .rangeNotSatisfiable:
            return 416
        // A provider that fetches blocks got bad ones from elsewhere.
        case .hashMismatch, .truncatedCAR, .invalidCARSection, .invalidCARHeader, .unsupportedCARVersion,
             .unexpectedBlockInCAR:
            return 502
        // Local failures: the store, its disk or its quotas.
        case .io, .corruptIndex, .corruptBlockOnDisk, .blockInUse, .moduleQuotaExceeded, .storeCapacityExceeded,
             .notPinned, .blockTooLarge, .unsupportedFileType:
            return 500
        }
    }
}
