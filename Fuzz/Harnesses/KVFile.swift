import Foundation
import StationHost

extension Harness {
    /// The key-value store's file opener on a hostile file: the input is written as the database
    /// file in a private temp folder, then `KeyValueStore(path:limits:)` opens it and, when it
    /// opens, gets, lists, puts and deletes a few keys. Invariants:
    /// - refusing the file or failing a call is a `StationError` with a message, never a crash;
    /// - a store that opens keeps working: a put then a get returns the value, a delete removes it,
    ///   the usage it reports moves by exactly the bytes put and stays within the quota after a
    ///   reopen.
    public static func kvFile(_ bytes: [UInt8]) throws {
        // One input at a time: the file name is shared (the tests may run harnesses in parallel).
        KVFileFixture.lock.lock()
        defer { KVFileFixture.lock.unlock() }
        let fixture = KVFileFixture.shared
        defer { fixture.reset() }
        guard FileManager.default.createFile(atPath: fixture.path, contents: Data(bytes)) else {
            try fuzzCheck(false, "cannot write \(fixture.path)")
            return
        }
        let limits = KVFileFixture.limits
        let store: KeyValueStore
        do {
            store = try KeyValueStore(path: fixture.path, limits: limits)
        } catch {
            try fuzzCheck(!error.message.isEmpty, "the opener refused the file without a message")
            return
        }
        defer { store.close() }
        // Reads of whatever the file holds may fail (with a message), never crash.
        for key in [Array("a".utf8), Array("fuzz".utf8), [0xFF, 0x00]] {
            do {
                _ = try store.get(key)
            } catch {
                try fuzzCheck(!error.message.isEmpty, "get failed without a message")
            }
        }
        do {
            _ = try store.list(prefix: [], after: nil, limit: 8)
            _ = try store.list(prefix: Array("f".utf8), after: Array("fa".utf8), limit: 3)
        } catch {
            try fuzzCheck(!error.message.isEmpty, "list failed without a message")
        }

        // Put, get, delete on a fresh key: what opened must work.
        let key = Array("station-fuzz-key".utf8)
        let value = Array("station-fuzz-value".utf8)
        let before = store.usedBytes
        let existing: [UInt8]?
        do {
            existing = try store.get(key)
        } catch {
            try fuzzCheck(false, "an opened store cannot read a key: \(error.message)")
            return
        }
        let without = before - min(before, UInt64(existing.map { $0.count + key.count } ?? 0))
        do {
            try store.put(key, value)
        } catch where error.code == .quotaExceeded && without + UInt64(key.count + value.count) > limits.quotaBytes {
            return
        } catch {
            try fuzzCheck(false, "an opened store refuses a put: \(error.message)")
        }
        do {
            let read = try store.get(key)
            try fuzzCheck(read == value, "put then get returned \(String(describing: read))")
            try fuzzCheck(store.usedBytes == without + UInt64(key.count + value.count),
                          "usage went from \(before) to \(store.usedBytes) for a \(key.count + value.count)-byte entry")
            let listed = try store.list(prefix: key, after: nil, limit: 4)
            try fuzzCheck(listed.contains(key), "a key just put is not listed")
            let deleted = try store.delete(key)
            try fuzzCheck(deleted, "delete did not find the key just put")
            let after = try store.get(key)
            try fuzzCheck(after == nil, "a deleted key still reads")
        } catch let error as StationError {
            try fuzzCheck(false, "an opened store fails after a put: \(error.message)")
        }
        try store.put(key, value)
        store.close()
        do {
            let again = try KeyValueStore(path: fixture.path, limits: limits)
            defer { again.close() }
            let read = try again.get(key)
            try fuzzCheck(read == value, "a value put does not survive a reopen")
        } catch let error as StationError {
            try fuzzCheck(false, "a store that opened and took a put does not open again: \(error.message)")
        }
    }
}

/// The KVFile harness's private folder; the database files are deleted after every input.
final class KVFileFixture: Sendable {
    static let shared = KVFileFixture()
    static let lock = NSLock()
    static let limits: KeyValueStore.Limits = {
        var limits = KeyValueStore.Limits()
        limits.quotaBytes = 1 << 16
        return limits
    }()
    let folder: URL
    let path: String

    private init() {
        folder = fuzzTemporaryFolder("kv")
        path = folder.appendingPathComponent("kv.sqlite").path
    }

    func reset() {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
    }
}
