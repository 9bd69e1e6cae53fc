import Foundation
import IPFS
import Multiformats

/// IPFS operations on the shared block store: get content by CID and path, put bytes, pin.
extension StationOperations {
    func content() throws(StationError) -> SharedContent {
        guard configuration.ipfs, let content = sharedContent else {
            throw StationError(.denied, "this module may not use IPFS (station run: give --allow-ipfs)")
        }
        return content
    }

    /// Starts getting `CID[/path][?query]`: a readable handle with the file's bytes or a CAR.
    ///
    /// With the CAR format the query may carry the trustless-gateway parameters `dag-scope`
    /// (`all`, the default; `entity`; `block`) and `entity-bytes=from:to` (with `dag-scope=entity`);
    /// every other parameter (`format`, `car-version`, `protocols`, `providers`, …) is ignored.
    /// A `block` or `entity` scope fetches and holds only the blocks it selects (pinning nothing)
    /// and answers the CAR a trustless gateway would; `all` reads the whole DAG as without a query.
    /// The file format takes no query.
    public func ipfsGet(_ text: String, format: ContentFormat, timeout: Duration?) throws(StationError) -> Int32 {
        let content = try content()
        let pieces = text.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let (root, path) = try Self.parseContentPath(String(pieces[0]))
        var scoped: GatewayRequest?
        if pieces.count == 2 {
            guard format == .car else {
                throw StationError(.invalidArgument, "a query ('?\(pieces[1].prefix(60))') needs the CAR format (1); file bytes (0) take none")
            }
            let request = try Self.parseScope(pieces[1], root: root, path: path)
            if request.scope != .all { scoped = request }
        }
        try handles.reserveCheck()
        let resource = ContentReadResource(hub: hub)
        let handle = try handles.insert(resource)
        if let scoped {
            resource.start(content: content, request: scoped, module: moduleName, timeout: timeout ?? .seconds(120))
        } else {
            resource.start(content: content, root: root, path: path, format: format, module: moduleName, timeout: timeout ?? .seconds(120))
        }
        return handle
    }

    /// The gateway request for `root`, `path` and the query of an `ipfs_get` text, parsed by the
    /// IPFS layer's own `GatewayRequest` parser (the path was already split by ``parseContentPath(_:)``,
    /// so it means the same with or without a query).
    static func parseScope(_ query: Substring, root: CID, path: String) throws(StationError) -> GatewayRequest {
        do {
            // The parser keeps the last value of a repeated parameter: the `format=car` appended
            // here overrides any `format` in the text, which ipfs_get's own argument replaces.
            var request = try GatewayRequest(target: "/ipfs/\(root)?\(query)&format=car")
            request.path = path.split(separator: "/").map(String.init)
            return request
        } catch {
            throw StationError(.invalidArgument, "bad query '\(query.prefix(120))': \(error)")
        }
    }

    /// Imports `bytes` as a UnixFS file (CIDv1, raw leaves), pins it for the module and returns its
    /// CID. Blocks the module's thread while it writes to the local store.
    public func ipfsPut(_ bytes: [UInt8]) throws(StationError) -> String {
        let content = try content()
        let module = moduleName
        let result = Self.runBlocking {
            try await UnixFSImporter(options: .cidV1RawLeaves).importStream(ArrayByteSource(bytes), into: content.store, module: module)
        }
        switch result {
        case .success(let imported):
            content.notePinned(imported.root, module: module)
            return imported.root.description
        case .failure(let error):
            throw ContentErrors.translate(error, doing: "storing \(bytes.count) bytes")
        }
    }

    /// Pins content already in the local store for the module (counts against its quota).
    public func ipfsPin(_ text: String) throws(StationError) {
        let content = try content()
        let root = try Self.parseCID(text)
        do {
            try content.store.pin(root, module: moduleName)
            content.notePinned(root, module: moduleName)
        } catch {
            throw ContentErrors.translate(error, doing: "pinning \(root)")
        }
    }

    /// Removes the module's pin.
    public func ipfsUnpin(_ text: String) throws(StationError) {
        let content = try content()
        let root = try Self.parseCID(text)
        do {
            try content.store.unpin(root, module: moduleName)
        } catch {
            throw ContentErrors.translate(error, doing: "unpinning \(root)")
        }
    }

    static func parseCID(_ text: String) throws(StationError) -> CID {
        do {
            return try CID(text)
        } catch {
            throw StationError(.invalidArgument, "'\(text.prefix(120))' is not a CID: \(error)")
        }
    }

    /// Splits `CID[/path]` (an optional `/ipfs/` prefix is accepted).
    static func parseContentPath(_ text: String) throws(StationError) -> (CID, String) {
        var rest = Substring(text)
        if rest.hasPrefix("/ipfs/") { rest = rest.dropFirst(6) }
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, !first.isEmpty else {
            throw StationError(.invalidArgument, "'\(text.prefix(120))' is not CID[/path]")
        }
        let root = try parseCID(String(first))
        let path = parts.count > 1 ? String(parts[1]) : ""
        for segment in path.split(separator: "/", omittingEmptySubsequences: false) where segment == ".." || segment == "." {
            throw StationError(.invalidArgument, "path segments '.' and '..' are not allowed: \(path)")
        }
        return (root, path.hasSuffix("/") ? String(path.dropLast()) : path)
    }

    /// Runs async work from the module's thread (never an event loop or a cooperative thread).
    static func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) -> Result<T, any Error> {
        let semaphore = DispatchSemaphore(value: 0)
        let box = ResultBox<T>()
        Task {
            do {
                box.value = .success(try await body())
            } catch {
                box.value = .failure(error)
            }
            semaphore.signal()
        }
        semaphore.wait()
        return box.value ?? .failure(CancellationError())
    }
}

private final class ResultBox<T: Sendable>: @unchecked Sendable {
    var value: Result<T, any Error>?
}
