import GRDB

/// The on-disk layout of a key-value store, and the checks that tell our stores from other files.
///
/// A store is an SQLite database whose header carries `application_id` ``applicationID`` ("STKV")
/// and `user_version` ``version``, with two tables:
/// - `station_kv(key BLOB PRIMARY KEY, value BLOB)`, a `WITHOUT ROWID` table, so keys are ordered
///   and compared bytewise (BLOBs compare with memcmp, then by length);
/// - `station_kv_meta(name, value)`, holding the `used_bytes` counter that every put updates in the
///   same transaction as the value.
enum KeyValueSchema {
    /// `PRAGMA application_id` of a store: the ASCII bytes "STKV".
    static let applicationID: Int32 = 0x5354_4B56
    /// `PRAGMA user_version` of the layout described here.
    static let version = 1
    static let entriesTable = "station_kv"
    static let metaTable = "station_kv_meta"
    static let usedBytesName = "used_bytes"

    /// What a read-only look at an SQLite file found.
    enum Probe: Equatable {
        /// An SQLite database with no schema and no application id (a new file, or one whose
        /// creation was interrupted before its first transaction committed): safe to set up.
        case uninitialized
        /// A store of ours in the current layout that passed `PRAGMA integrity_check`.
        case store
    }

    /// Looks at an existing database through a read-only connection and decides whether it is one
    /// of our stores. Throws `.io` with a readable reason for anything else; writes nothing.
    static func probe(_ db: Database, path: String) throws -> Probe {
        let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        let userVersion = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        let objects = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master")
        if applicationID == 0 && userVersion == 0 && objects.isEmpty {
            // A file SQLite reads as schema-less can still be damaged (a header claiming pages the
            // file lacks): setting it up would leave a store that every later open refuses.
            try checkIntegrity(db, path: path)
            return .uninitialized
        }
        guard applicationID == Self.applicationID else {
            throw StationError(
                .io,
                "\(path) is an SQLite database of another program (application id \(applicationID), "
                    + "\(objects.count) schema objects), not a Station key-value store; it was left untouched"
            )
        }
        guard userVersion == version else {
            throw StationError(
                .io,
                "key-value store \(path) has schema version \(userVersion) but this runtime reads version \(version); "
                    + "it was left untouched"
            )
        }
        try checkIntegrity(db, path: path)
        // Only the two tables: a trigger or a view would run SQL the store never wrote (a trigger
        // refusing inserts made every put fail), and another table is not ours to carry.
        let foreign = objects.filter { $0 != entriesTable && $0 != metaTable && !$0.hasPrefix("sqlite_") }
        guard foreign.isEmpty else {
            throw StationError(
                .io,
                "key-value store \(path) holds schema objects a store never creates (\(foreign.prefix(5).joined(separator: ", "))); "
                    + "it was left untouched"
            )
        }
        let tables = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
        guard tables.contains(entriesTable), tables.contains(metaTable) else {
            throw StationError(.io, "key-value store \(path) lacks its tables (\(entriesTable), \(metaTable)); it was left untouched")
        }
        let counter = try Row.fetchOne(db, sql: "SELECT value FROM \(metaTable) WHERE name = ?", arguments: [usedBytesName])
        guard counter != nil else {
            throw StationError(.io, "key-value store \(path) lacks its usage counter; it was left untouched")
        }
        return .store
    }

    /// Throws `.io` unless `PRAGMA integrity_check` finds nothing wrong.
    private static func checkIntegrity(_ db: Database, path: String) throws {
        let problems = try String.fetchAll(db, sql: "PRAGMA integrity_check(20)")
        guard problems == ["ok"] else {
            throw StationError(
                .io,
                "key-value store \(path) is corrupt (integrity check: \(problems.prefix(5).joined(separator: "; "))); "
                    + "it was left untouched for recovery"
            )
        }
    }

    /// Creates the tables and stamps the header, all in the caller's transaction.
    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE \(entriesTable) (key BLOB PRIMARY KEY NOT NULL, value BLOB NOT NULL) WITHOUT ROWID;
            CREATE TABLE \(metaTable) (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;
            INSERT INTO \(metaTable) (name, value) VALUES ('\(usedBytesName)', 0);
            PRAGMA application_id = \(applicationID);
            PRAGMA user_version = \(version);
            """)
    }

    /// The usage computed from the entries themselves: the sum of key and value lengths.
    static func computeUsedBytes(_ db: Database) throws -> UInt64 {
        let sum = try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(length(key) + length(value)), 0) FROM \(entriesTable)") ?? 0
        return UInt64(max(0, sum))
    }

    /// The usage counter kept in `station_kv_meta`.
    static func storedUsedBytes(_ db: Database) throws -> UInt64 {
        let stored = try Int64.fetchOne(db, sql: "SELECT value FROM \(metaTable) WHERE name = ?", arguments: [usedBytesName]) ?? 0
        return UInt64(max(0, stored))
    }

    /// Overwrites the usage counter (inside the caller's transaction).
    static func setStoredUsedBytes(_ db: Database, _ usedBytes: UInt64) throws {
        try db.execute(
            sql: "UPDATE \(metaTable) SET value = ? WHERE name = ?",
            arguments: [Int64(clamping: usedBytes), usedBytesName]
        )
    }
}
