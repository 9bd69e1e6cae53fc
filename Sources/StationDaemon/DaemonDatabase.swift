import Foundation
import GRDB

/// The daemon's own small database: job totals per module and modules swapped in by
/// `station module update`. SQLite in WAL mode with `synchronous=FULL`, so a committed write
/// survives `kill -9` and power loss.
public final class DaemonDatabase: Sendable {
    private let queue: DatabaseQueue

    /// Opens (creating when needed) the database at `url`.
    public init(url: URL) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        queue = try DatabaseQueue(path: url.path, configuration: configuration)
        try queue.writeWithoutTransaction { db in
            _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
        }
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE jobs (module TEXT PRIMARY KEY NOT NULL, total INTEGER NOT NULL);
                CREATE TABLE module_updates (module TEXT PRIMARY KEY NOT NULL, cid TEXT NOT NULL, updated_at REAL NOT NULL);
                """)
        }
        try migrator.migrate(queue)
    }

    /// Job totals per module.
    public func jobTotals() throws -> [String: UInt64] {
        try queue.read { db in
            var totals: [String: UInt64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT module, total FROM jobs") {
                let total: Int64 = row["total"]
                totals[row["module"]] = UInt64(max(0, total))
            }
            return totals
        }
    }

    /// Stores job totals (one transaction).
    public func saveJobTotals(_ totals: [String: UInt64]) throws {
        try queue.write { db in
            for (module, total) in totals {
                try db.execute(
                    sql: "INSERT INTO jobs (module, total) VALUES (?, ?) ON CONFLICT(module) DO UPDATE SET total = excluded.total",
                    arguments: [module, Int64(clamping: total)])
            }
        }
    }

    /// The CID a module was updated to, if any.
    public func moduleUpdate(for module: String) throws -> String? {
        try queue.read { db in try String.fetchOne(db, sql: "SELECT cid FROM module_updates WHERE module = ?", arguments: [module]) }
    }

    /// Remembers that `module` now runs `cid`.
    public func saveModuleUpdate(module: String, cid: String) throws {
        try queue.write { db in
            try db.execute(
                sql: "INSERT INTO module_updates (module, cid, updated_at) VALUES (?, ?, ?) ON CONFLICT(module) DO UPDATE SET cid = excluded.cid, updated_at = excluded.updated_at",
                arguments: [module, cid, Date().timeIntervalSince1970])
        }
    }

    /// Forgets an update (the module goes back to its manifest's code).
    public func clearModuleUpdate(module: String) throws {
        try queue.write { db in try db.execute(sql: "DELETE FROM module_updates WHERE module = ?", arguments: [module]) }
    }
}
