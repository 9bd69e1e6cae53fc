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

    public func runConfiguration(
        engine: JavaScriptEngine, arguments: [String] = [], environment extra: [(String, String)] = [],
        host: [String: String] = ProcessInfo.processInfo.environment
    ) -> RunConfiguration {
        var run = RunConfiguration(module: engine.module)
        run.arguments = [entryInRoot] + arguments
        run.environment = Self.environment(extra, host: host)
        run.directories = [DirectoryGrant(hostPath: root, guestPath: Self.guestRoot, readOnly: true)]
        return run
    }
}
