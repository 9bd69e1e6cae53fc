import Foundation
import GRDB

/// Opens a store file safely: refuses anything that is not one of our stores before writing a
/// single byte, then switches to WAL with `synchronous = FULL`, creates the schema when the file is
/// new, and recomputes the usage counter from the entries.
enum KeyValueStoreOpener {
    /// An open store: its connection and the bytes it holds.
    struct Opened {
        let queue: DatabaseQueue
        let usedBytes: UInt64
    }

    static func open(path: String) throws(StationError) -> Opened {
        try createParentDirectory(of: path)
        var needsSchema = false
        switch try KeyValueFileHeader.inspect(path: path) {
        case .missing, .empty:
            needsSchema = true
        case .foreign:
            throw StationError(.io, "\(path) is not an SQLite database, so not a Station key-value store; it was left untouched")
        case .sqlite:
            needsSchema = try probeReadOnly(path: path) == .uninitialized
        }
        try KeyValueFileHeader.checkCompanions(of: path)

        let queue: DatabaseQueue = try KeyValueDatabaseError.run(path: path, doing: "open the database") {
            try DatabaseQueue(path: path, configuration: writerConfiguration(path: path))
        }
        do throws(StationError) {
            try KeyValueDatabaseError.run(path: path, doing: "switch to WAL journaling") {
                let mode = try queue.writeWithoutTransaction { db in
                    try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
                }
                guard mode?.lowercased() == "wal" else {
                    throw StationError(.io, "key-value store \(path): SQLite refused WAL journaling (mode is \(mode ?? "unknown"))")
                }
            }
            if needsSchema {
                try KeyValueDatabaseError.run(path: path, doing: "create the store") {
                    try queue.write { db in
                        // Checked again inside the transaction: another process may have set it up.
                        if try KeyValueSchema.probe(db, path: path) == .uninitialized {
                            try KeyValueSchema.create(db)
                        }
                    }
                }
            }
            let usedBytes = try KeyValueDatabaseError.run(path: path, doing: "compute the usage") {
                try queue.write { db in
                    let computed = try KeyValueSchema.computeUsedBytes(db)
                    if try KeyValueSchema.storedUsedBytes(db) != computed {
                        try KeyValueSchema.setStoredUsedBytes(db, computed)
                    }
                    return computed
                }
            }
            return Opened(queue: queue, usedBytes: usedBytes)
        } catch {
            try? queue.close()
            throw error
        }
    }

    /// The connection settings of a store: durable commits, a short wait when another process holds
    /// the lock, and no GRDB extras the store does not use.
    static func writerConfiguration(path: String) -> Configuration {
        var configuration = Configuration()
        configuration.label = "station-kv"
        configuration.foreignKeysEnabled = false
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // Every commit is fsynced before it returns: a put survives kill -9 and power loss.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // The file is data, never code: ignore any SQL functions a schema might name.
            try db.execute(sql: "PRAGMA trusted_schema = OFF")
        }
        return configuration
    }

    /// Opens the existing database read-only, so a foreign or damaged file is never written to.
    private static func probeReadOnly(path: String) throws(StationError) -> KeyValueSchema.Probe {
        try KeyValueDatabaseError.run(path: path, doing: "read the database") {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.foreignKeysEnabled = false
            configuration.busyMode = .timeout(5)
            let reader = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? reader.close() }
            return try reader.read { db in try KeyValueSchema.probe(db, path: path) }
        }
    }

    private static func createParentDirectory(of path: String) throws(StationError) {
        let parent = (path as NSString).deletingLastPathComponent
        guard !parent.isEmpty else { return }
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw StationError(.io, "cannot create the folder \(parent) for key-value store \(path): \(error.localizedDescription)")
        }
    }
}
