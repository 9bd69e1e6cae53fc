import Foundation
import GRDB
import Synchronization

/// One module's key-value store: an SQLite database file (GRDB), keys and values are bytes.
///
/// Keys are ordered and compared bytewise. Every put is one transaction that writes the value and
/// the usage counter together, in WAL mode with `synchronous = FULL`: when `put` returns, the value
/// survives `kill -9` and power loss; when it throws, the old value and the usage are unchanged.
///
/// Calls may come from any thread; they run one at a time. See `docs/kv.md`.
public final class KeyValueStore: Sendable {
    /// The database file.
    public let path: String
    /// The caps this store enforces.
    public let limits: Limits
    private let hooks: KeyValueStoreHooks
    private let state: Mutex<State>

    private struct State {
        var queue: DatabaseQueue?
        var usedBytes: UInt64
    }

    /// Opens or creates the store at `path` (creating parent folders), checks it (integrity + schema
    /// version) and recomputes usage. Throws StationError(.io, readable message) when the file is
    /// not a store or is corrupt — never crashes, never deletes user data.
    public convenience init(path: String, limits: Limits = .init()) throws(StationError) {
        try self.init(path: path, limits: limits, hooks: KeyValueStoreHooks())
    }

    /// The designated initializer, with failure injection points for tests.
    init(path: String, limits: Limits, hooks: KeyValueStoreHooks) throws(StationError) {
        guard !path.isEmpty else {
            throw StationError(.invalidArgument, "the key-value store needs a file path")
        }
        let opened = try KeyValueStoreOpener.open(path: path)
        self.path = path
        self.limits = limits
        self.hooks = hooks
        self.state = Mutex(State(queue: opened.queue, usedBytes: opened.usedBytes))
    }

    /// The value stored under `key`, or `nil` when there is none.
    /// Empty key → `.invalidArgument`; key over `maxKeyBytes` → `.tooLarge`.
    public func get(_ key: [UInt8]) throws(StationError) -> [UInt8]? {
        try checkKey(key)
        return try withDatabase(doing: "read a value") { queue, _ in
            try queue.read { db -> [UInt8]? in
                // CAST: SQLite columns take any type, and decoding an integer (from a damaged or
                // hand-made file) as Data is a fatal error in GRDB; as a blob it reads as its text.
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT CAST(value AS BLOB) FROM \(KeyValueSchema.entriesTable) WHERE key = ?",
                    arguments: [Data(key)]
                )
                guard let row else { return nil }
                let value: Data? = row[0]
                return value.map { [UInt8]($0) } ?? []
            }
        }
    }

    /// Atomic: either the whole new value is durable or the old value stays. Over quota → .quotaExceeded (nothing changed); key/value too big → .tooLarge; empty key → .invalidArgument.
    public func put(_ key: [UInt8], _ value: [UInt8]) throws(StationError) {
        try checkKey(key)
        guard value.count <= limits.maxValueBytes else {
            throw StationError(.tooLarge, "the value is \(value.count) bytes; a key-value store value may be at most \(limits.maxValueBytes) bytes")
        }
        let quota = KeyValueQuota(quotaBytes: limits.quotaBytes)
        let newEntryBytes = UInt64(key.count) + UInt64(value.count)
        let hook = hooks.afterValueWrite
        try withDatabase(doing: "store a value") { queue, usedBytes in
            let keyData = Data(key)
            let updated = try queue.write { db -> UInt64 in
                let current = try KeyValueSchema.storedUsedBytes(db)
                let oldEntryBytes = try Self.entryBytes(db, keyData)
                let next = try quota.usageAfterPut(currentUsage: current, oldEntryBytes: oldEntryBytes ?? 0, newEntryBytes: newEntryBytes)
                // An empty Data binds as NULL in SQLite; COALESCE keeps it an empty BLOB.
                try db.execute(
                    sql: "INSERT OR REPLACE INTO \(KeyValueSchema.entriesTable) (key, value) VALUES (?, COALESCE(?, x''))",
                    arguments: [keyData, Data(value)]
                )
                try hook?()
                try KeyValueSchema.setStoredUsedBytes(db, next)
                return next
            }
            usedBytes = updated
        }
    }

    /// Returns whether the key existed.
    public func delete(_ key: [UInt8]) throws(StationError) -> Bool {
        try checkKey(key)
        return try withDatabase(doing: "delete a value") { queue, usedBytes in
            let keyData = Data(key)
            let outcome = try queue.write { db -> (existed: Bool, usedBytes: UInt64) in
                let current = try KeyValueSchema.storedUsedBytes(db)
                guard let oldEntryBytes = try Self.entryBytes(db, keyData) else { return (false, current) }
                try db.execute(sql: "DELETE FROM \(KeyValueSchema.entriesTable) WHERE key = ?", arguments: [keyData])
                let next = current >= oldEntryBytes ? current - oldEntryBytes : 0
                try KeyValueSchema.setStoredUsedBytes(db, next)
                return (true, next)
            }
            usedBytes = outcome.usedBytes
            return outcome.existed
        }
    }

    /// Keys with `prefix` in byte order, strictly after `after` when given, at most `limit` (capped by maxListBatch).
    /// A negative `limit` → `.invalidArgument`; `0` returns no keys.
    public func list(prefix: [UInt8], after: [UInt8]?, limit: Int) throws(StationError) -> [[UInt8]] {
        guard limit >= 0 else {
            throw StationError(.invalidArgument, "the list limit must not be negative (got \(limit))")
        }
        let count = min(limit, max(0, limits.maxListBatch))
        // No stored key is longer than maxKeyBytes, so a longer prefix matches nothing.
        guard count > 0, prefix.count <= limits.maxKeyBytes else { return [] }
        let range = KeyValuePrefixRange(prefix: prefix)
        var conditions = ["key >= ?"]
        var arguments: StatementArguments = [Data(range.lower)]
        if let upper = range.upper {
            conditions.append("key < ?")
            _ = arguments.append(contentsOf: [Data(upper)])
        }
        if let after {
            conditions.append("key > ?")
            _ = arguments.append(contentsOf: [Data(after)])
        }
        _ = arguments.append(contentsOf: [count])
        let sql = "SELECT key FROM \(KeyValueSchema.entriesTable) WHERE \(conditions.joined(separator: " AND ")) ORDER BY key LIMIT ?"
        let frozenArguments = arguments
        return try withDatabase(doing: "list keys") { queue, _ in
            try queue.read { db in
                try Data.fetchAll(db, sql: sql, arguments: frozenArguments).map { [UInt8]($0) }
            }
        }
    }

    /// Bytes counted against the quota (sum of key + value sizes).
    public var usedBytes: UInt64 {
        state.withLock { $0.usedBytes }
    }

    /// Closes the database (checkpointing its WAL). Later calls fail with `.io`; closing twice is
    /// harmless.
    public func close() {
        state.withLock { state in
            try? state.queue?.close()
            state.queue = nil
        }
    }

    // MARK: - Helpers

    private func checkKey(_ key: [UInt8]) throws(StationError) {
        guard !key.isEmpty else {
            throw StationError(.invalidArgument, "a key-value store key must not be empty")
        }
        guard key.count <= limits.maxKeyBytes else {
            throw StationError(.tooLarge, "the key is \(key.count) bytes; a key-value store key may be at most \(limits.maxKeyBytes) bytes")
        }
    }

    /// The bytes an existing entry counts against the quota, or `nil` when the key is absent.
    private static func entryBytes(_ db: Database, _ key: Data) throws -> UInt64? {
        let length = try Int64.fetchOne(
            db,
            sql: "SELECT length(value) FROM \(KeyValueSchema.entriesTable) WHERE key = ?",
            arguments: [key]
        )
        return length.map { UInt64(key.count) + UInt64(max(0, $0)) }
    }

    /// Runs `body` with the open connection and the cached usage, one call at a time, mapping any
    /// failure to a ``StationError``.
    private func withDatabase<T: Sendable>(
        doing action: String,
        _ body: (DatabaseQueue, inout UInt64) throws -> T
    ) throws(StationError) -> T {
        let path = self.path
        let result: Result<T, StationError> = state.withLock { state in
            guard let queue = state.queue else {
                return .failure(StationError(.io, "key-value store \(path) is closed"))
            }
            do {
                return .success(try body(queue, &state.usedBytes))
            } catch {
                return .failure(KeyValueDatabaseError.map(error, path: path, doing: action))
            }
        }
        return try result.get()
    }
}
