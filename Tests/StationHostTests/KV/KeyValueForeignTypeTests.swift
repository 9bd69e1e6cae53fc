import Foundation
import GRDB
import Testing
@testable import StationHost

/// SQLite columns take any type, so a damaged or hand-made store can hold an integer, a real or
/// text where the store writes blobs (the KVFile fuzz harness found one by flipping a record's
/// type bit). Reading such an entry must give bytes or an error, never trap the host (GRDB's
/// `row[0] as Data?` is a fatal error for an integer).
@Suite struct KeyValueForeignTypeTests {
    /// A store with `fuzz` → "value", then the rows rewritten with values of other types and an
    /// integer key, as a foreign writer could leave them.
    private func storeWithForeignTypes(_ folder: KeyValueTestFolder) throws -> String {
        let path = folder.path("kv.sqlite")
        let store = try KeyValueStore(path: path)
        try store.put(Array("fuzz".utf8), Array("value".utf8))
        try store.put(Array("real".utf8), Array("x".utf8))
        try store.put(Array("text".utf8), Array("x".utf8))
        store.close()
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "UPDATE station_kv SET value = 0 WHERE key = ?", arguments: [Data("fuzz".utf8)])
            try db.execute(sql: "UPDATE station_kv SET value = 1.5 WHERE key = ?", arguments: [Data("real".utf8)])
            try db.execute(sql: "UPDATE station_kv SET value = 'abc' WHERE key = ?", arguments: [Data("text".utf8)])
            try db.execute(sql: "INSERT INTO station_kv (key, value) VALUES (7, x'01')")
        }
        try queue.close()
        return path
    }

    @Test func valuesOfOtherTypesReadAsTheirBytes() throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        let store = try KeyValueStore(path: try storeWithForeignTypes(folder))
        defer { store.close() }
        #expect(try store.get(Array("fuzz".utf8)) == Array("0".utf8))
        #expect(try store.get(Array("real".utf8)) == Array("1.5".utf8))
        #expect(try store.get(Array("text".utf8)) == Array("abc".utf8))
    }

    @Test func listingAndWritingStillWorkBesideForeignEntries() throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        let store = try KeyValueStore(path: try storeWithForeignTypes(folder))
        defer { store.close() }
        // Keys that are not blobs sort before every blob in SQLite, so listing (which starts at a
        // blob bound) never meets the integer key.
        let keys = try store.list(prefix: [], after: nil, limit: 10)
        #expect(keys == [Array("fuzz".utf8), Array("real".utf8), Array("text".utf8)])
        try store.put(Array("fuzz".utf8), Array("new".utf8))
        #expect(try store.get(Array("fuzz".utf8)) == Array("new".utf8))
    }
}
