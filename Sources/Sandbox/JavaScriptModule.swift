import Crypto
import Foundation
import SandboxEngine

/// A JavaScript module to run on the ``JavaScriptEngine``: its entry file and its root, the folder
/// that holds the entry, which the engine sees as `/` (read-only) and from which every import must
/// come (Zinnia's rule: the module root is the canonical parent folder of the main file).
///
/// The engine is run as `station-js <entry relative to the root> ARGS...`, with `STATION_ID` and
/// `FIL_WALLET_ADDRESS` (the variables Zinnia reads) in its environment when the host has them.
///
/// ```swift
/// let script = try JavaScriptModule(entry: "examples/js/hello.js")
/// var run = script.runConfiguration(engine: try JavaScriptEngine.locate(), arguments: ["Ann"])
/// run.limits.memoryBytes = 64 << 20
/// ```
public struct JavaScriptModule: Sendable, Hashable {
    /// File extensions run as JavaScript.
    public static let extensions = ["js", "mjs"]
    /// The guest path of the module's root.
    public static let guestRoot = "/"
    /// The environment variables passed on from the host (Zinnia's names).
    public static let identityVariables = ["STATION_ID", "FIL_WALLET_ADDRESS"]
    /// The largest entry file accepted (the engine applies its own limits to what it loads).
    public static let maximumEntrySize = ModuleLoader.maximumFileSize

    /// The entry as given.
    public let entry: String
    /// The canonical folder holding the entry (symlinks resolved): the module's root.
    public let root: String
    /// The entry's path inside ``root``.
    public let entryInRoot: String
    /// A short name for messages and events: the entry's file name without its extension.
    public let name: String

    /// Whether `path` names a JavaScript module (by its extension: `.js` or `.mjs`).
    public static func isJavaScript(_ path: String) -> Bool {
        extensions.contains(URL(fileURLWithPath: path).pathExtension.lowercased())
    }

    /// Checks the entry and finds its root.
    ///
    /// - Throws: ``SandboxError/unreadableModule(path:reason:)`` when the entry cannot be read or
    ///   is not a regular file, or when its root would be `/` (the whole file system).
    public init(entry: String) throws(SandboxError) {
        self.entry = entry
        name = URL(fileURLWithPath: entry).deletingPathExtension().lastPathComponent
        do throws(RegularFile.Failure) {
            _ = try RegularFile(path: entry, maximumSize: Int64(Self.maximumEntrySize))
        } catch {
            throw .unreadableModule(path: entry, reason: error.description)
        }
        guard let resolved = realpath(entry, nil) else {
            throw .unreadableModule(path: entry, reason: String(cString: strerror(errno)))
        }
        let canonical = String(cString: resolved)
        free(resolved)
        let url = URL(fileURLWithPath: canonical)
        root = url.deletingLastPathComponent().path
        entryInRoot = url.lastPathComponent
        guard root != "/" else {
            throw .unreadableModule(
                path: entry,
                reason: "its folder would be the module's root, and that is '/', the whole file system; put the module in a folder of its own")
        }
    }

    /// The environment a module gets: `STATION_ID` and `FIL_WALLET_ADDRESS` from `host` (when set
    /// and not empty), then `extra`; a name in `extra` replaces the host's value.
    public static func environment(_ extra: [(String, String)], host: [String: String] = ProcessInfo.processInfo.environment) -> [(String, String)] {
        let given = Set(extra.map(\.0))
        let identity = identityVariables.compactMap { name -> (String, String)? in
            guard !given.contains(name), let value = host[name], !value.isEmpty else { return nil }
            return (name, value)
        }
        return identity + extra
    }

    /// How to run this module on `engine`: the engine's code, `argv` = `station-js ENTRY ARGS...`,
    /// the root as `/` (read-only: Zinnia modules never write their own files; `--dir` grants
    /// more), and ``environment(_:host:)``. The caller adds limits, other directories, streams and
    /// host functions.
    /// The WebAssembly stack a JavaScript module gets when none is asked for: the engine keeps its
    /// JS stack at 1/8 of it, and 8 MiB allows about 3,000 nested JS calls (1 MiB, the default
    /// for WebAssembly modules, only about 390; js/README.md).
    public static let defaultStackBytes = 8 << 20

    /// Sets `limits` on a run of the engine and tells the engine about them, so it can keep the JS
    /// heap under the memory limit and the JS stack under the WebAssembly one and report
    /// catchable errors instead of hitting the host's limits (`STATION_MEMORY_LIMIT`,
    /// `STATION_WASM_STACK`; js/README.md). Without an asked stack, ``defaultStackBytes``.
    public static func apply(_ limits: Limits, stackAsked: Bool, to run: inout RunConfiguration) {
        var limits = limits
        if !stackAsked { limits.stackBytes = max(limits.stackBytes, defaultStackBytes) }
        run.limits = limits
        run.environment.removeAll { $0.0 == "STATION_MEMORY_LIMIT" || $0.0 == "STATION_WASM_STACK" }
        run.environment += [("STATION_MEMORY_LIMIT", String(limits.memoryBytes)), ("STATION_WASM_STACK", String(limits.stackBytes))]
    }

    /// - Parameter bytecodeCache: station's cache folder (``StationFolders``' `.cache`): when
    ///   given, the engine keeps the compiled bytecode of the prelude and of every file it loads
    ///   in ``bytecodeCacheFolder(engine:cacheRoot:)`` and skips parsing them on the next start.
    public func runConfiguration(
        engine: JavaScriptEngine, arguments: [String] = [], environment extra: [(String, String)] = [],
        host: [String: String] = ProcessInfo.processInfo.environment, bytecodeCache cacheRoot: String? = nil
    ) -> RunConfiguration {
        var run = RunConfiguration(module: engine.module)
        run.arguments = [entryInRoot] + arguments
        run.environment = Self.environment(extra, host: host)
        run.directories = [DirectoryGrant(hostPath: root, guestPath: Self.guestRoot, readOnly: true)]
        // `--env STATION_JS_CACHE=` (empty) turns the cache off; a person naming a folder of their
        // own (granted with --dir) takes it over.
        let chosen = extra.contains { $0.0 == Self.cacheVariable }
        if !chosen, let cacheRoot, let folder = prepareBytecodeCache(engine: engine, cacheRoot: cacheRoot) {
            run.directories.append(DirectoryGrant(hostPath: folder, guestPath: Self.cacheGuestPath, readOnly: false))
            run.environment.append((Self.cacheVariable, Self.cacheGuestPath))
        }
        return run
    }

    // MARK: Bytecode cache

    /// Where the engine sees its bytecode cache folder (js/engine/cache.c), and the variable that
    /// tells it so.
    public static let cacheGuestPath = "/.station-js-cache"
    static let cacheVariable = "STATION_JS_CACHE"
    /// A module's cache folder is emptied before a run when it holds more than this (old source
    /// versions pile up there; the next run writes what it needs again).
    public static let maximumCacheBytes: Int64 = 64 << 20

    /// The folder holding this module's compiled bytecode:
    /// `CACHE/js-bytecode/<engine SHA-256>/<SHA-256 of root and name>`.
    ///
    /// Bytecode is code: QuickJS trusts what it reads. So the folder is private to one engine build
    /// and one module (its root and name), granted to that module's engine only, and JavaScript has
    /// no file API to write into it; the engine also checks every entry's source and payload hashes
    /// before use, and compiles and rewrites an entry that does not check out.
    public func bytecodeCacheFolder(engine: JavaScriptEngine, cacheRoot: String) -> String {
        let moduleKey = SHA256.hash(data: Data((root + "\u{0}" + name).utf8)).map { String(format: "%02x", $0) }.joined()
        return URL(fileURLWithPath: cacheRoot).appendingPathComponent("js-bytecode")
            .appendingPathComponent(engine.sha256).appendingPathComponent(moduleKey).path
    }

    /// Creates the cache folder (mode 0700) and empties it when it has grown past
    /// ``maximumCacheBytes``; nil when it cannot be made (the module then runs without a cache).
    private func prepareBytecodeCache(engine: JavaScriptEngine, cacheRoot: String) -> String? {
        let folder = bytecodeCacheFolder(engine: engine, cacheRoot: cacheRoot)
        let files = FileManager.default
        do {
            try files.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            return nil
        }
        if let names = try? files.contentsOfDirectory(atPath: folder) {
            var total: Int64 = 0
            for name in names {
                let size = (try? files.attributesOfItem(atPath: folder + "/" + name)[.size] as? NSNumber)?.int64Value ?? 0
                total += size
            }
            if total > Self.maximumCacheBytes {
                for name in names { try? files.removeItem(atPath: folder + "/" + name) }
            }
        }
        return folder
    }
}
