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

    /// Starts getting `CID[/path]`: a readable handle with the file's bytes or a CAR.
    public func ipfsGet(_ text: String, format: ContentFormat, timeout: Duration?) throws(StationError) -> Int32 {
        let content = try content()
        let (root, path) = try Self.parseContentPath(text)
        try handles.reserveCheck()
        let resource = ContentReadResource(hub: hub)
        let handle = try handles.insert(resource)
        resource.start(content: content, root: root, path: path, format: format, module: moduleName, timeout: timeout ?? .seconds(120))
        return handle
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
