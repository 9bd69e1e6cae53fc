#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Crash-safe file writes: write a temporary file in the target's directory, fsync it, rename it
/// over the target, then fsync the directory so the rename itself is durable.
///
/// Readers therefore see either no file or the complete file, never a partial one. Temporary files
/// start with `temporaryPrefix` so a store can delete leftovers from a crash when it opens.
enum DurableFile {
    /// Name prefix of temporary files; nothing else in a store starts with it.
    static let temporaryPrefix = ".tmp-"

    /// Where a test can make a write stop, as if the process died at that point.
    enum CrashPoint: Sendable, Equatable {
        /// After the temporary file is written and synced, before the rename.
        case beforeRename
    }

    /// Thrown by `write` when a simulated crash point is reached.
    struct SimulatedCrash: Error {}

    /// Atomically replaces (or creates) `path` with `bytes`.
    /// - Parameters:
    ///   - sync: fsync the file and the directory (durable against power loss); off only for benchmarks.
    ///   - syncDirectory: fsync the directory after the rename; a caller that batches writes passes
    ///     false and syncs each touched directory once before anything durable refers to the files.
    ///   - crashAt: test hook: stop at this point, leaving what a crash would leave.
    static func write(
        _ bytes: some ContiguousBytes, to path: String, sync: Bool, syncDirectory syncsDirectory: Bool = true,
        crashAt: CrashPoint? = nil
    ) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = directory + "/" + temporaryPrefix + UUID().uuidString
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw posixError("create", temporary) }
        do {
            try bytes.withUnsafeBytes { buffer in
                try writeAll(descriptor, buffer, path: temporary)
            }
            if sync, fsync(descriptor) != 0 { throw posixError("fsync", temporary) }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        close(descriptor)
        if crashAt == .beforeRename { throw SimulatedCrash() }
        guard rename(temporary, path) == 0 else {
            let error = posixError("rename", path)
            unlink(temporary)
            throw error
        }
        if sync && syncsDirectory { try syncDirectory(directory) }
    }

    /// fsyncs a directory so entries created, renamed or removed in it survive a power loss.
    static func syncDirectory(_ directory: String) throws {
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw posixError("open directory", directory) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw posixError("fsync directory", directory) }
    }

    /// Reads a whole file, or returns nil when it does not exist.
    static func read(_ path: String, limit: Int) throws -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return nil }
            throw posixError("open", path)
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw posixError("stat", path) }
        let size = Int(status.st_size)
        guard size <= limit else { throw IPFSError.blockTooLarge(size: size, limit: limit) }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        while filled < size {
            let count = bytes.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer, from: filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw posixError("read", path)
            }
            if count == 0 { break }
            filled += count
        }
        return filled == size ? bytes : Array(bytes[..<filled])
    }

    /// Removes a file; a file that is already gone is not an error.
    static func remove(_ path: String) throws {
        if unlink(path) != 0, errno != ENOENT { throw posixError("unlink", path) }
    }

    /// The size of a regular file, or nil when it does not exist.
    static func size(_ path: String) -> Int64? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return Int64(status.st_size)
    }

    /// Creates a directory and its parents if needed.
    static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw IPFSError.io(operation: "mkdir", path: path, message: "\(error)")
        }
    }

    private static func writeAll(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws {
        guard let base = buffer.baseAddress else { return }
        var written = 0
        while written < buffer.count {
            let count = systemWrite(descriptor, base + written, buffer.count - written)
            if count < 0 {
                if errno == EINTR { continue }
                throw posixError("write", path)
            }
            written += count
        }
    }

    static func posixError(_ operation: String, _ path: String) -> IPFSError {
        .io(operation: operation, path: path, message: String(cString: strerror(errno)))
    }
}

/// `read(2)` into `buffer[offset...]` (a file-scope function so the name does not clash with methods).
func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawBufferPointer, from offset: Int) -> Int {
    guard let base = buffer.baseAddress, offset < buffer.count else { return 0 }
    return read(descriptor, base + offset, buffer.count - offset)
}

/// `write(2)` (a file-scope function so the name does not clash with methods).
func systemWrite(_ descriptor: Int32, _ base: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, base, count)
}
