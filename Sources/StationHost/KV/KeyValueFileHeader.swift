import Foundation
import SandboxEngine

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
    /// cannot be read, or is not a regular file (a directory, a FIFO, a socket, a device).
    ///
    /// The file is opened non-blocking and its type is checked on the open descriptor: a FIFO
    /// planted at the path would otherwise block the open (and then SQLite) forever, deaf to
    /// deadlines and stop requests.
    static func inspect(path: String) throws(StationError) -> Kind {
        let head: [UInt8]
        do throws(RegularFile.Failure) {
            head = try RegularFile(path: path).read(atMost: magic.count)
        } catch where error.isMissing {
            return .missing
        } catch {
            throw StationError(.io, "key-value store \(path) \(error); it was left untouched")
        }
        if head.isEmpty { return .empty }
        return head == magic ? .sqlite : .foreign
    }

    /// Refuses anything but a regular file (or nothing) at the paths SQLite opens beside a store:
    /// its write-ahead log, shared-memory index and rollback journal. SQLite opens them blocking,
    /// so a FIFO there would hang the module as surely as one at the store itself.
    static func checkCompanions(of path: String) throws(StationError) {
        for suffix in ["-wal", "-shm", "-journal"] {
            var info = stat()
            guard lstat(path + suffix, &info) == 0 else { continue }
            if let kind = RegularFile.nonRegularKind(info.st_mode) {
                throw StationError(.io, "key-value store \(path): \(path + suffix) is \(kind), not an SQLite file; it was left untouched")
            }
        }
    }
}
