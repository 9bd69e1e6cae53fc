import Foundation

/// A look at the first bytes of a file, before SQLite opens it, so that a file which is not an
/// SQLite database is refused with a clear message and never handed to SQLite in write mode.
enum KeyValueFileHeader {
    /// The 16 bytes every SQLite 3 database file starts with.
    static let magic: [UInt8] = Array("SQLite format 3\0".utf8)

    /// What is at a path.
    enum Kind: Equatable {
        /// No file yet: the store will be created.
        case missing
        /// A zero-length file: SQLite treats it as an empty database.
        case empty
        /// A file that starts with the SQLite header.
        case sqlite
        /// Anything else (the first bytes are kept for the message).
        case foreign
    }

    /// Reads at most the first 16 bytes of the file at `path`. Throws `.io` when the path exists but
    /// cannot be read, or is a directory.
    static func inspect(path: String) throws(StationError) -> Kind {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .missing }
        if isDirectory.boolValue {
            throw StationError(.io, "key-value store \(path) is a directory, not a database file")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StationError(.io, "key-value store \(path) cannot be opened for reading")
        }
        defer { try? handle.close() }
        let head: Data
        do {
            head = try handle.read(upToCount: magic.count) ?? Data()
        } catch {
            throw StationError(.io, "key-value store \(path) cannot be read: \(error.localizedDescription)")
        }
        if head.isEmpty { return .empty }
        return Array(head) == magic ? .sqlite : .foreign
    }
}
