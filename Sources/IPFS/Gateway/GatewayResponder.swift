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

/// Answers trustless gateway requests from a block provider (the server side of issue 5, item 5).
///
/// Everything that can fail before the first byte (bad request, unknown root, path not found) is
/// checked first and becomes a 400/404 response; the body then streams the CAR (or the raw block).
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
        do {
            return try await respond(to: GatewayRequest(target: target, accept: accept))
        } catch let error as IPFSError {
            return Self.failure(error)
        } catch {
            return GatewayResponse(status: 500, headers: [], body: nil, message: "\(error)")
        }
    }

    /// Answers a parsed request.
    public func respond(to request: GatewayRequest) async throws -> GatewayResponse {
        let walker = ScopedDAGWalker(provider: provider, limits: limits)
        var terminal = request.root
        do {
            if !request.path.isEmpty {
                terminal = try await UnixFSExporter(provider: provider, limits: limits)
                    .resolve(request.root, path: request.path.joined(separator: "/"))
            }
            guard try await provider.block(for: terminal) != nil else { throw IPFSError.blockNotFound(cid: terminal.description) }
        } catch let error as IPFSError {
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
                guard let block = try await provider.block(for: cid) else { throw IPFSError.blockNotFound(cid: cid.description) }
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

    static func failure(_ error: IPFSError) -> GatewayResponse {
        let status: Int
        switch error {
        case .invalidOption, .unsafeEntryName, .multiformats: status = 400
        case .pathNotFound, .blockNotFound: status = 404
        case .rangeNotSatisfiable: status = 416
        default: status = 502
        }
        return GatewayResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: nil, message: error.description)
    }
}
