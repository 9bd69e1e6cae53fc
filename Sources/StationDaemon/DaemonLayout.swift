import Foundation

/// Where the daemon keeps things on disk.
///
/// ```
/// STATE/identity.key            the libp2p node's key (shared with `station p2p`)
/// STATE/daemon.sqlite           job totals and module updates (WAL, synchronous=FULL)
/// STATE/status.json             the status API's address and token (mode 0600, while running)
/// STATE/ipfs/                   the shared block store
/// STATE/modules/NAME/data/      the module's files (`/data`, when granted)
/// STATE/modules/NAME/kv.sqlite  the module's key-value store (when granted)
/// STATE/modules/NAME/output.log the module's stdout and stderr (capped, one older file kept)
/// CACHE/modules/CID.wasm        modules fetched by CID
/// ```
public struct DaemonLayout: Sendable {
    public let state: URL
    public let cache: URL

    public init(stateDirectory: String, cacheDirectory: String) {
        state = URL(fileURLWithPath: stateDirectory, isDirectory: true)
        cache = URL(fileURLWithPath: cacheDirectory, isDirectory: true)
    }

    public var database: URL { state.appendingPathComponent("daemon.sqlite") }
    public var blockStore: URL { state.appendingPathComponent("ipfs", isDirectory: true) }
    public var statusFile: URL { state.appendingPathComponent("status.json") }
    public var moduleCache: URL { cache.appendingPathComponent("modules", isDirectory: true) }

    public func moduleFolder(_ name: String) -> URL {
        state.appendingPathComponent("modules", isDirectory: true).appendingPathComponent(name, isDirectory: true)
    }

    public func dataFolder(_ name: String) -> URL { moduleFolder(name).appendingPathComponent("data", isDirectory: true) }
    public func keyValueFile(_ name: String) -> URL { moduleFolder(name).appendingPathComponent("kv.sqlite") }
    public func outputLog(_ name: String) -> URL { moduleFolder(name).appendingPathComponent("output.log") }
    public func cachedModule(cid: String) -> URL { moduleCache.appendingPathComponent("\(cid).wasm") }

    /// Creates the state and cache folders (private to the user).
    /// - Throws: `DaemonError` naming the folder and the system's reason.
    public func prepare() throws {
        for folder in [state, cache, moduleCache, state.appendingPathComponent("modules", isDirectory: true)] {
            try Self.makeFolder(folder)
        }
    }

    /// Creates a module's folders.
    /// - Throws: `DaemonError` naming the folder and the system's reason (what the module's status
    ///   and log then show).
    public func prepareModule(_ name: String, files: Bool) throws {
        try Self.makeFolder(moduleFolder(name))
        if files { try Self.makeFolder(dataFolder(name)) }
    }

    private static func makeFolder(_ folder: URL) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw DaemonError("cannot create the folder \(folder.path): \(systemReason(error))")
        }
    }

    /// The system's sentence for a Foundation file error ("Read-only file system"), instead of
    /// Foundation's "Error Domain=NSCocoaErrorDomain Code=642 …".
    static func systemReason(_ error: any Error) -> String {
        let error = error as NSError
        if error.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(error.code))) }
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return error.localizedDescription
    }
}
