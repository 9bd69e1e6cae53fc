import ArgumentParser
import StationConfig
import StationDaemon

/// `station run`'s help for its limit options, from ``LimitCatalog`` and the defaults the run
/// really has (``RunDefaults``), so the help cannot drift from either.
enum LimitOptionHelp {
    /// The help of the option for `key`, e.g. "Maximum linear memory; tables are bounded too
    /// (default 256 MiB)."
    static func help(_ key: String) -> ArgumentHelp {
        guard let entry = LimitCatalog.entry(key) else { return ArgumentHelp(key) }
        let runDefault = entry.formatted(RunDefaults.moduleLimits)
        return ArgumentHelp(LimitCatalog.help(key, runDefault: runDefault), valueName: entry.valueName)
    }

    /// "--memory 256 MiB, --stack 1 MiB, …, no --fuel, no --timeout, …" for the command's discussion.
    static var runDefaultsSummary: String {
        let defaults = RunDefaults.moduleLimits
        var set: [String] = []
        var unset: [String] = []
        for entry in LimitCatalog.all {
            guard let option = entry.option else { continue }
            if let value = entry.formatted(defaults) { set.append("--\(option) \(value)") } else { unset.append("--\(option)") }
        }
        return (set + ["none for " + unset.joined(separator: ", ")]).joined(separator: ", ")
    }
}
