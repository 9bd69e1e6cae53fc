import Foundation

/// Where Station keeps its state (identity, block store, key-value stores, daemon database) and its
/// cache (compiled modules, fetched code): the one rule every command follows.
///
/// A folder given explicitly (`--state`, `--repo`'s parent, `[daemon] state`) wins; else
/// `$STATE_ROOT` / `$CACHE_ROOT` (Station's own convention, set by Station Desktop and Station Core);
/// else `$XDG_STATE_HOME/station` / `$XDG_CACHE_HOME/station` when that variable holds an absolute
/// path (the XDG spec ignores relative ones); else `~/.local/state/station` / `~/.cache/station`.
///
/// ```swift
/// StationFolders.resolve(.state, environment: ["STATE_ROOT": "/srv/st", "XDG_STATE_HOME": "/x"])
/// // "/srv/st"
/// StationFolders.resolve(.cache, environment: ["HOME": "/home/ann"])
/// // "/home/ann/.cache/station"
/// ```
public enum StationFolders {
    /// The two folders Station keeps.
    public enum Kind: Sendable {
        case state, cache

        /// The environment variable that names this folder outright.
        public var rootVariable: String {
            switch self {
            case .state: "STATE_ROOT"
            case .cache: "CACHE_ROOT"
            }
        }

        var xdgVariable: String {
            switch self {
            case .state: "XDG_STATE_HOME"
            case .cache: "XDG_CACHE_HOME"
            }
        }

        var homeFallback: String {
            switch self {
            case .state: ".local/state"
            case .cache: ".cache"
            }
        }
    }

    /// The rule as one line for `--help` texts.
    public static func rule(_ kind: Kind) -> String {
        "$\(kind.rootVariable), else $\(kind.xdgVariable)/station, else ~/\(kind.homeFallback)/station"
    }

    /// The folder of `kind` as an absolute, normalised path. `explicit` (a command-line option or a
    /// configuration setting) wins when given and non-empty; relative paths are taken against
    /// `base` (the current folder by default) and `~` is expanded.
    public static func resolve(
        _ kind: Kind, explicit: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        base: String = FileManager.default.currentDirectoryPath
    ) -> String {
        let home = Self.home(environment: environment)
        if let explicit = nonEmpty(explicit) {
            return Paths.absolute(expandTilde(explicit, home: home), base: base)
        }
        if let root = nonEmpty(environment[kind.rootVariable]) {
            return Paths.absolute(expandTilde(root, home: home), base: base)
        }
        if let xdg = nonEmpty(environment[kind.xdgVariable]), xdg.hasPrefix("/") {
            return Paths.normalize(xdg + "/station")
        }
        return Paths.normalize(home + "/" + kind.homeFallback + "/station")
    }

    /// `~` and `~/…` expanded against `home`.
    static func expandTilde(_ path: String, home: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst(1) }
        return path
    }

    /// The home folder `~` stands for: `$HOME`, else the account's home.
    static func home(environment: [String: String]) -> String {
        nonEmpty(environment["HOME"]) ?? NSHomeDirectory()
    }

    /// `value` unless it is nil or empty (an empty variable counts as unset).
    static func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }
}
