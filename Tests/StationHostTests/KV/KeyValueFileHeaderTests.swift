import Foundation
import Synchronization
import Testing
@testable import StationHost

@Suite struct KeyValueFileHeaderTests {
    @Test func classifiesFilesByTheirFirstBytes() throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        #expect(try KeyValueFileHeader.inspect(path: folder.path("missing")) == .missing)

        _ = FileManager.default.createFile(atPath: folder.path("empty"), contents: Data())
        #expect(try KeyValueFileHeader.inspect(path: folder.path("empty")) == .empty)

        _ = FileManager.default.createFile(atPath: folder.path("sqlite"), contents: Data("SQLite format 3\0rest".utf8))
        #expect(try KeyValueFileHeader.inspect(path: folder.path("sqlite")) == .sqlite)

        _ = FileManager.default.createFile(atPath: folder.path("short"), contents: Data("SQLite".utf8))
        #expect(try KeyValueFileHeader.inspect(path: folder.path("short")) == .foreign)

        _ = FileManager.default.createFile(atPath: folder.path("text"), contents: Data("hello, not a database".utf8))
        #expect(try KeyValueFileHeader.inspect(path: folder.path("text")) == .foreign)
    }

    @Test func aDirectoryIsRefused() throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        let error = keyValueError { () throws(StationError) in _ = try KeyValueFileHeader.inspect(path: folder.url.path) }
        #expect(error?.code == .io)
        #expect(error?.message.contains("directory") == true)
    }
    /// A FIFO at the store's path used to block the open forever (deaf to deadlines and stop
    /// requests); it is now refused at once, checked on the descriptor.
    @Test func aFIFOIsRefusedWithoutBlocking() async throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        let path = folder.path("kv.sqlite")
        #expect(mkfifo(path, 0o600) == 0)
        let error = try await withoutBlocking { keyValueError { () throws(StationError) in _ = try KeyValueFileHeader.inspect(path: path) } }
        #expect(error?.code == .io)
        #expect(error?.message.contains("FIFO") == true)
    }

    @Test func aFIFOBesideTheStoreIsRefused() async throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        let path = folder.path("kv.sqlite")
        #expect(mkfifo(path + "-wal", 0o600) == 0)
        let error = try await withoutBlocking {
            keyValueError { () throws(StationError) in _ = try KeyValueStoreOpener.open(path: path) }
        }
        #expect(error?.code == .io)
        #expect(error?.message.contains("-wal is a FIFO") == true)
    }

    /// Runs `body` on its own thread and fails (instead of hanging the suite) when it has not
    /// returned within a generous safety net; a thread stuck in the kernel is left behind.
    private func withoutBlocking<T: Sendable>(_ body: @escaping @Sendable () -> T) async throws -> T {
        let once = Mutex<CheckedContinuation<T?, Never>?>(nil)
        let result: T? = await withCheckedContinuation { continuation in
            once.withLock { $0 = continuation }
            Thread.detachNewThread {
                let value = body()
                once.withLock { $0.take()?.resume(returning: value) }
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + 30) {
                once.withLock { $0.take()?.resume(returning: nil) }
            }
        }
        guard let result else {
            Issue.record("the call blocked for 30 s")
            throw CancellationError()
        }
        return result
    }
}
