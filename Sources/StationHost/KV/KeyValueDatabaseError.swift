import GRDB

/// Turns whatever a database call threw into a ``StationError``: our own errors pass through,
/// SQLite failures become `.io` with the store's path and SQLite's own words.
enum KeyValueDatabaseError {
    static func map(_ error: any Error, path: String, doing action: String) -> StationError {
        if let stationError = error as? StationError { return stationError }
        if let databaseError = error as? DatabaseError {
            let reason = databaseError.message ?? "\(databaseError.resultCode)"
            let hint: String
            switch databaseError.resultCode.primaryResultCode {
            case .SQLITE_NOTADB: hint = " (the file is not an SQLite database)"
            case .SQLITE_CORRUPT: hint = " (the database file is corrupt)"
            case .SQLITE_FULL: hint = " (the disk is full)"
            case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_CANTOPEN: hint = " (check the file's permissions)"
            case .SQLITE_BUSY, .SQLITE_LOCKED: hint = " (another process holds the database)"
            default: hint = ""
            }
            return StationError(.io, "key-value store \(path): cannot \(action): \(reason)\(hint)")
        }
        return StationError(.io, "key-value store \(path): cannot \(action): \(error)")
    }

    /// Runs `body`, mapping anything it throws with ``map(_:path:doing:)``.
    static func run<T>(path: String, doing action: String, _ body: () throws -> T) throws(StationError) -> T {
        do {
            return try body()
        } catch {
            throw map(error, path: path, doing: action)
        }
    }
}
