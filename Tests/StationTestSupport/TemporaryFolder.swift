import Foundation

/// A fresh, empty folder under the system's temporary directory, named `LABEL-UUID` so a folder
/// left behind by a failed test says which test made it. The caller removes it (usually with
/// `defer { try? FileManager.default.removeItem(at: folder) }`).
public func temporaryFolder(_ label: String = "station-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A fresh, empty folder (see ``temporaryFolder(_:)``) removed with everything in it when the
/// value is released: hold it in a local `let` for the test's duration.
public final class TemporaryDirectory {
    /// The folder.
    public let url: URL
    /// The folder's path.
    public var path: String { url.path }

    /// Creates `station-LABEL-UUID` under the system's temporary directory.
    public init(_ label: String = "test") throws {
        url = try temporaryFolder("station-\(label)")
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `bytes` to `name` (which may name subfolders, created as needed) and returns its path.
    @discardableResult
    public func write(_ bytes: [UInt8], to name: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: file)
        return file.path
    }

    /// Writes `contents` as UTF-8 to `name`.
    public func writeFile(_ name: String, _ contents: String) throws {
        try write(Array(contents.utf8), to: name)
    }

    /// The UTF-8 text of `name`.
    public func readFile(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: url.appendingPathComponent(name)), as: UTF8.self)
    }

    /// Creates the subfolder `name` (and its parents) and returns its path.
    @discardableResult
    public func makeDirectory(_ name: String) throws -> String {
        let child = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: child, withIntermediateDirectories: true)
        return child.path
    }
}
