import Foundation
import StationConfig

extension Harness {
    /// The TOML parser on raw bytes (its documented promise: hostile input gives a TOMLError,
    /// never a trap).
    public static func toml(_ bytes: [UInt8]) throws {
        let document: TOMLDocument
        do {
            document = try TOMLDocument(bytes: bytes, file: "fuzz.toml")
        } catch {
            // Every error must render as a message (file:line:column: ...).
            try fuzzCheck(!"\(error)".isEmpty, "empty error message")
            return
        }
        // Parsing the same bytes again gives a document too (no hidden state between parses).
        let again = try? TOMLDocument(bytes: bytes, file: "fuzz.toml")
        try fuzzCheck(again != nil, "second parse of the same bytes failed")
        _ = document.root
    }

    /// A private folder for the config loader's files, made once per process.
    private static let configFolder: String = {
        let path = NSTemporaryDirectory() + "station-fuzz-config-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path + "/state", withIntermediateDirectories: true)
        try? FileManager.default.createDirectory(atPath: path + "/cache", withIntermediateDirectories: true)
        return path
    }()

    /// ConfigLoader on a real file: the input is written as station.toml (and, separately, as a
    /// module.toml) in a private temporary folder, then loaded with a fixed environment, so the
    /// whole validation path runs (tables, keys, sizes, durations, limits, fair shares, folders).
    /// Not reentrant: one input at a time per process (the files have fixed names).
    public static func configLoader(_ bytes: [UInt8]) throws {
        let folder = configFolder
        let environment = ["HOME": folder, "STATE_ROOT": folder + "/state", "CACHE_ROOT": folder + "/cache"]
        let station = folder + "/station.toml"
        let manifest = folder + "/module.toml"
        guard FileManager.default.createFile(atPath: station, contents: Data(bytes)),
              FileManager.default.createFile(atPath: manifest, contents: Data(bytes))
        else { fatalError("cannot write to \(folder)") }
        do {
            _ = try ConfigLoader.load(path: station, environment: environment)
        } catch {
            try fuzzCheck(!error.problems.isEmpty, "ConfigErrors thrown with no problem in it")
            _ = error.description
        }
        do {
            _ = try ConfigLoader.loadManifest(path: manifest)
        } catch {
            try fuzzCheck(!error.problems.isEmpty, "ConfigErrors thrown with no problem in it (manifest)")
            _ = error.description
        }
    }
}
