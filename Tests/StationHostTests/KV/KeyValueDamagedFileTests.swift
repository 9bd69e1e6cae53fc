import Foundation
import GRDB
import Testing
@testable import StationHost

/// A damaged SQLite file with no schema must be refused, not set up as a store: set up, it took a
/// put and then failed its next open ("Page 2 is never used"), so the module lost its store.
@Suite struct KeyValueDamagedFileTests {
    /// 516 bytes found by the KVFile fuzz harness: an SQLite header for 512-byte pages, one page
    /// with no tables and 4 stray bytes; `PRAGMA integrity_check` reports the damage.
    static let shortFile = Data(base64Encoded: [
        "U1FMaXRlIGZvcm1hdCAzAAIAAQEAQCAgAAAAAgAAAAIAAAAAAAAAAAAAAAIAAAAEAAAAAAAAAAAAAAABAAAAAAAAAAAAAAAA",
        "AAAAAAAAAAAAAE8AAAAAAAAAAAAAAAACAC5jAQ0AAAAAAPz8AAAABAAAAAAAAAAAAAAAAQAAAAEAAAAAU1RLVjHAAAAAAAAA",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAGAC5jAQ0AAAACAPIAAYMA8gAAAAAAAAAAAAAA",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAACAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "AAAGAC4AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAFN0cmluAAAAAAAAAAAAAAAA",
        "AAAAAAAAAAAAAAAA",
    ].joined())!

    @Test func damagedSchemalessFileIsRefusedAndLeftUnchanged() throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        let path = folder.path("kv.sqlite")
        try Self.shortFile.write(to: URL(fileURLWithPath: path))
        let error = keyValueError { () throws(StationError) in _ = try KeyValueStore(path: path) }
        #expect(error?.code == .io)
        #expect(error?.message.contains("corrupt") == true, "message: \(error?.message ?? "none")")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Self.shortFile)
    }
}

/// A store file whose schema holds anything the store never creates (a trigger, a view, another
/// table) is refused at open: a trigger runs SQL the store never wrote on every put (the KVFile
/// fuzz harness's seed with `RAISE(ABORT)` on insert opened, then refused every put).
@Suite struct KeyValueForeignSchemaTests {
    @Test(arguments: [
        "CREATE TRIGGER no_insert BEFORE INSERT ON station_kv BEGIN SELECT RAISE(ABORT, 'no'); END",
        "CREATE VIEW everything AS SELECT * FROM station_kv",
        "CREATE TABLE extra (x)",
    ])
    func storeWithForeignSchemaObjectIsRefusedAndLeftUnchanged(statement: String) throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        let path = folder.path("kv.sqlite")
        let store = try KeyValueStore(path: path)
        try store.put(Array("a".utf8), Array("1".utf8))
        store.close()
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: statement) }
        try queue.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let error = keyValueError { () throws(StationError) in _ = try KeyValueStore(path: path) }
        #expect(error?.code == .io)
        #expect(error?.message.contains("never creates") == true, "message: \(error?.message ?? "none")")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }
}
