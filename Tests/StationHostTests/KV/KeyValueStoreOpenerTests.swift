import Foundation
import GRDB
import Testing
@testable import StationHost

@Suite struct KeyValueStoreOpenerTests {
    private func contents(_ path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path))
    }

    private func expectRefused(_ path: String, mentioning words: String) throws {
        let before = try contents(path)
        let error = keyValueError { () throws(StationError) in _ = try KeyValueStore(path: path) }
        #expect(error?.code == .io)
        #expect(error?.message.contains(words) == true, "message: \(error?.message ?? "none")")
        #expect(try contents(path) == before)
    }

    @Test func garbageFileIsRefusedAndLeftUnchanged() throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        let path = folder.path("kv.sqlite")
        var generator = SystemRandomNumberGenerator()
        let garbage = Data((0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) })
        try garbage.write(to: URL(fileURLWithPath: path))
        try expectRefused(path, mentioning: "not an SQLite database")
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func fileWithSQLiteMagicButGarbageBodyIsRefusedAndLeftUnchanged() throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        let path = folder.path("kv.sqlite")
        var bytes = Array("SQLite format 3\0".utf8)
        bytes += [UInt8](repeating: 0xEE, count: 4096)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        try expectRefused(path, mentioning: path)
    }

    @Test func foreignSQLiteDatabaseIsRefusedAndLeftUnchanged() throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        let path = folder.path("other.sqlite")
        let other = try DatabaseQueue(path: path)
        try other.write { db in
            try db.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('keep me')")
        }
        try other.close()
        try expectRefused(path, mentioning: "another program")
        let check = try DatabaseQueue(path: path)
        #expect(try check.read { db in try String.fetchOne(db, sql: "SELECT body FROM notes") } == "keep me")
        try check.close()
    }

    @Test func newerSchemaVersionIsRefused() throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        let path = folder.path("kv.sqlite")
        try KeyValueStore(path: path).close()
        let raw = try DatabaseQueue(path: path)
        try raw.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA user_version = 2") }
        try raw.close()
        try expectRefused(path, mentioning: "schema version 2")
    }

    @Test func corruptStoreIsRefusedAndLeftUnchanged() throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        let path = folder.path("kv.sqlite")
        let store = try KeyValueStore(path: path)
        for index in 0..<400 { try store.put(Array("key-\(index)".utf8), [UInt8](repeating: UInt8(index % 256), count: 300)) }
        store.close()
        // Smash the middle of the file (b-tree pages), keeping the header intact.
        var bytes = try contents(path)
        #expect(bytes.count > 16 * 4096)
        for offset in (8 * 4096)..<(12 * 4096) { bytes[offset] = 0x5A }
        try bytes.write(to: URL(fileURLWithPath: path))
        try expectRefused(path, mentioning: "corrupt")
    }

    @Test func usageIsRecomputedFromTheEntriesOnOpen() throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        let path = folder.path("kv.sqlite")
        let store = try KeyValueStore(path: path)
        try store.put([1, 2, 3], [4, 5])
        try store.put([9], [UInt8](repeating: 0, count: 10))
        store.close()
        let raw = try DatabaseQueue(path: path)
        try raw.write { db in try db.execute(sql: "UPDATE station_kv_meta SET value = 12345 WHERE name = 'used_bytes'") }
        try raw.close()

        let reopened = try KeyValueStore(path: path)
        defer { reopened.close() }
        #expect(reopened.usedBytes == 16)
        try reopened.put([7], [])
        #expect(reopened.usedBytes == 17)
    }

    @Test func emptyExistingFileBecomesAStore() throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        let path = folder.path("kv.sqlite")
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        let store = try KeyValueStore(path: path)
        defer { store.close() }
        try store.put([1], [2])
        #expect(try store.get([1]) == [2])
    }

    /// The files a killed process leaves behind: the database, its WAL with committed but not yet
    /// checkpointed transactions, and the shared-memory index. Copied while the store is open, they
    /// must open with every committed put present and a clean integrity check.
    @Test func filesLeftByAnOpenStoreReopenWithEveryCommittedPut() throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        let path = folder.path("live/kv.sqlite")
        let store = try KeyValueStore(path: path)
        defer { store.close() }
        for index in 0..<200 { try store.put(Array("k\(index)".utf8), Array(repeating: UInt8(index % 251), count: index)) }
        let walBytes = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        #expect(walBytes > 0)

        let copy = folder.path("copy/kv.sqlite")
        try FileManager.default.createDirectory(atPath: folder.path("copy"), withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            try FileManager.default.copyItem(atPath: path + suffix, toPath: copy + suffix)
        }
        let recovered = try KeyValueStore(path: copy)
        for index in 0..<200 {
            #expect(try recovered.get(Array("k\(index)".utf8)) == Array(repeating: UInt8(index % 251), count: index))
        }
        #expect(recovered.usedBytes == store.usedBytes)
        recovered.close()
        let raw = try DatabaseQueue(path: copy)
        #expect(try raw.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } == ["ok"])
        #expect(try raw.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
        try raw.close()
    }
}
