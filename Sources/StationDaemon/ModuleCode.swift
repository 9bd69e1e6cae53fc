import Foundation
import Multiformats
import Sandbox
import StationConfig
import StationHost

/// Finds a module's code: a file from its manifest, or a CID fetched through IPFS (local block
/// store, then Bitswap peers, then gateways; every block checked against its hash) and cached in
/// `CACHE/modules/CID.wasm`.
public struct ModuleCode: Sendable {
    /// Modules by CID are pinned in the block store under this name.
    public static let storeOwner = "station-modules"
    /// The largest module accepted.
    public static let maximumSize = ModuleLoader.maximumFileSize

    let layout: DaemonLayout
    let content: SharedContent?

    public init(layout: DaemonLayout, content: SharedContent?) {
        self.layout = layout
        self.content = content
    }

    /// Loads `source` as module `name` (throws `SandboxError` for unreadable or invalid code).
    public func load(_ source: ModuleSource, name: String, timeout: Duration = .seconds(120)) async throws -> LoadedModule {
        switch source {
        case .file(let path):
            let loaded = try ModuleLoader.load(path: path)
            return LoadedModule(name: name, wasm: loaded.wasm)
        case .cid(let text):
            return try await loadCID(text, name: name, timeout: timeout)
        case .javascript(let path):
            // Run through ``JavaScriptModule`` on the engine module, never loaded as WebAssembly.
            throw ModuleCodeError("\(path) is a JavaScript module: it runs on the \(JavaScriptEngine.name) engine module")
        }
    }

    /// Fetches (or takes from the cache) the module with `text` as CID and checks that it is
    /// valid WebAssembly before it is cached.
    public func loadCID(_ text: String, name: String, timeout: Duration = .seconds(120)) async throws -> LoadedModule {
        let cid: CID
        do {
            cid = try CID(text)
        } catch {
            throw ModuleCodeError("'\(text)' is not a CID: \(error)")
        }
        let cached = layout.cachedModule(cid: cid.description)
        // Read like any module file: a regular file within the size cap, never more than that.
        if let bytes = try? ModuleLoader.readFile(atPath: cached.path) {
            // A damaged cache file is fetched again instead of parking the module as invalid.
            if let loaded = try? ModuleLoader.load(bytes: bytes, name: name), (try? ModuleInfo(wasm: loaded.wasm)) != nil {
                return loaded
            }
            try? FileManager.default.removeItem(at: cached)
        }
        guard let content else {
            throw ModuleCodeError("module \(cid) is not cached and no block store is running")
        }
        let bytes = try await withTimeLimit(timeout, what: "fetching module \(cid)") {
            try await content.fetchFile(cid, module: Self.storeOwner, maxBytes: Self.maximumSize)
        }
        let loaded = try ModuleLoader.load(bytes: bytes, name: name)
        _ = try ModuleInfo(wasm: loaded.wasm)
        // Written to a temporary file and renamed into place: a crash never leaves half a module.
        try Data(loaded.wasm).write(to: cached, options: .atomic)
        return loaded
    }
}

/// A module's code could not be found or fetched.
public struct ModuleCodeError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
