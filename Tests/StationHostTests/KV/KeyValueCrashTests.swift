import Foundation
import GRDB
import Testing
@testable import StationHost

/// Kills a process that writes to a store in a tight loop with SIGKILL, then checks that the store
/// reopens, passes `PRAGMA integrity_check`, and that every value present is complete.
///
/// The child is this test binary itself, started with `STATION_KV_CRASH_CHILD=<db path>` and a
/// filter that selects only this test; in that mode the test body is the writer loop.
@Suite struct KeyValueCrashTests {
    static let childVariable = "STATION_KV_CRASH_CHILD"
    static let keyCount = 300
    /// Holds how many puts the writer has committed (8 bytes, big-endian).
    static let progressKey = Array("progress".utf8)

    @Test func killedWriterLeavesACompleteStore() throws {
        if let path = ProcessInfo.processInfo.environment[Self.childVariable] {
            try Self.runWriter(path: path)
            return
        }
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        let path = folder.path("kv.sqlite")

        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        child.arguments = ["--testing-library", "swift-testing", "--filter", "KeyValueCrashTests"]
        var environment = ProcessInfo.processInfo.environment
        environment[Self.childVariable] = path
        child.environment = environment
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()

        // Wait (up to two minutes) until the writer has gone round all keys at least once.
        var written = 0
        for _ in 0..<1200 where child.isRunning {
            written = Self.generationsWritten(path: path)
            if written > 2 * Self.keyCount { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let wasRunning = child.isRunning
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(wasRunning, "the writer ended before it was killed (status \(child.terminationStatus))")
        #expect(child.terminationReason == .uncaughtSignal)
        #expect(written > 2 * Self.keyCount, "the writer made too little progress: \(written) puts")

        let store = try KeyValueStore(path: path)
        var expectedUsage: UInt64 = 0
        var complete = 0
        for index in 0..<Self.keyCount {
            let key = Self.key(index)
            guard let value = try store.get(key) else { continue }
            #expect(Self.isComplete(value: value, key: key), "key \(index) has a torn value of \(value.count) bytes")
            complete += 1
            expectedUsage += UInt64(key.count + value.count)
        }
        #expect(complete == Self.keyCount)
        let progress = try store.get(Self.progressKey)
        #expect(progress?.count == 8)
        expectedUsage += UInt64(Self.progressKey.count + (progress?.count ?? 0))
        #expect(store.usedBytes == expectedUsage)
        store.close()
        let raw = try DatabaseQueue(path: path)
        #expect(try raw.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } == ["ok"])
        try raw.close()
    }

    // MARK: - The writer (child process)

    /// Puts self-describing values in a loop until killed. Stops on its own when its parent is gone
    /// or after a generous number of puts, so a lost child never runs forever.
    static func runWriter(path: String) throws {
        let parent = getppid()
        let store = try KeyValueStore(path: path)
        var generation: UInt64 = 0
        while getppid() == parent && generation < 1_000_000 {
            let index = Int(generation % UInt64(keyCount))
            try store.put(key(index), value(key: key(index), generation: generation))
            try store.put(progressKey, withUnsafeBytes(of: (generation + 1).bigEndian) { Array($0) })
            generation += 1
        }
        store.close()
    }

    /// How many puts the writer has committed, read through a read-only connection.
    static func generationsWritten(path: String) -> Int {
        guard FileManager.default.fileExists(atPath: path) else { return 0 }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(1)
        guard let reader = try? DatabaseQueue(path: path, configuration: configuration) else { return 0 }
        defer { try? reader.close() }
        let data = try? reader.read { db in
            try Data.fetchOne(db, sql: "SELECT value FROM station_kv WHERE key = ?", arguments: [Data(progressKey)])
        }
        guard let data = data ?? nil, data.count == 8 else { return 0 }
        return Int(data.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    // MARK: - Self-describing values

    static func key(_ index: Int) -> [UInt8] {
        Array("crash-key-\(index)".utf8)
    }

    /// `generation (8 bytes) | body length (4 bytes) | body | FNV-1a of body (4 bytes)`, where the
    /// body is the key repeated up to a length between 1 and 48 KiB that changes every generation.
    static func value(key: [UInt8], generation: UInt64) -> [UInt8] {
        let length = Int(generation &* 7919 % 49_152) + 1
        let body = (0..<length).map { key[$0 % key.count] }
        return withUnsafeBytes(of: generation.bigEndian) { Array($0) }
            + withUnsafeBytes(of: UInt32(length).bigEndian) { Array($0) }
            + body
            + withUnsafeBytes(of: fnv1a(body).bigEndian) { Array($0) }
    }

    static func isComplete(value: [UInt8], key: [UInt8]) -> Bool {
        guard value.count >= 16 else { return false }
        let length = value[8..<12].reduce(0) { $0 << 8 | Int($1) }
        guard value.count == 12 + length + 4 else { return false }
        let body = Array(value[12..<(12 + length)])
        let checksum = value[(12 + length)...].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let pattern = body.indices.allSatisfy { body[$0] == key[$0 % key.count] }
        return pattern && checksum == fnv1a(body)
    }

    static func fnv1a(_ bytes: [UInt8]) -> UInt32 {
        bytes.reduce(UInt32(2_166_136_261)) { ($0 ^ UInt32($1)) &* 16_777_619 }
    }
}
