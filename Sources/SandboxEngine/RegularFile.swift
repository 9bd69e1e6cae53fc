import Foundation
import Units

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file opened for reading only if it is a regular file: the one rule every reader of outside
/// files follows (modules, key-value stores, configuration).
///
/// The file is opened non-blocking and its type is checked on the open descriptor, so a FIFO
/// planted at the path cannot block the open (waiting for a writer, deaf to deadlines and signals),
/// a symlink is judged by what it points to, and a file swapped after a check cannot slip
/// through. Reads are bounded by the caller: the size at open time is only a first check.
///
/// ```swift
/// let file = try RegularFile(path: "module.wasm", maximumSize: 256 << 20)
/// defer { file.close() }
/// let bytes = try file.read(atMost: (256 << 20) + 1)   // one byte more tells "it grew"
/// ```
public struct RegularFile: ~Copyable {
    /// Why a file cannot be read, phrased to follow its path ("'x.wasm' is a directory, …").
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// `open` or `fstat` failed with this errno (`ENOENT` when there is no file).
        case open(errno: Int32)
        /// `read` failed with this errno.
        case read(errno: Int32)
        /// Not a regular file; the kind, e.g. "a FIFO (named pipe)".
        case notRegular(String)
        /// Larger than the caller's maximum when opened.
        case tooLarge(size: Int64, maximum: Int64)

        public var description: String {
            switch self {
            case .open(let code): "cannot be opened: \(Self.describe(code))"
            case .read(let code): "cannot be read: \(Self.describe(code))"
            case .notRegular(let kind): "is \(kind), not a regular file"
            case .tooLarge(_, let maximum): "is larger than \(Units.formatBytes(UInt64(max(0, maximum))))"
            }
        }

        /// True when nothing exists at the path.
        public var isMissing: Bool { self == .open(errno: ENOENT) }

        static func describe(_ code: Int32) -> String {
            switch code {
            case ENOENT: "no such file"
            case EACCES, EPERM: "permission denied"
            default: String(cString: strerror(code))
            }
        }
    }

    /// The open descriptor (closed by ``close()`` or when the value goes away).
    public let descriptor: Int32
    /// The size when opened.
    public let size: Int64

    /// Opens `path`; throws unless it is a regular file of at most `maximumSize` bytes.
    public init(path: String, maximumSize: Int64 = .max) throws(Failure) {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { throw .open(errno: errno) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let code = errno
            systemClose(fd)
            throw .open(errno: code)
        }
        if let kind = Self.nonRegularKind(status.st_mode) {
            systemClose(fd)
            throw .notRegular(kind)
        }
        guard Int64(status.st_size) <= maximumSize else {
            systemClose(fd)
            throw .tooLarge(size: Int64(status.st_size), maximum: maximumSize)
        }
        descriptor = fd
        size = Int64(status.st_size)
    }

    deinit { systemClose(descriptor) }

    /// Closes the file now.
    public consuming func close() {}

    /// Reads from the start until the end of the file or `limit` bytes, whichever comes first.
    public func read(atMost limit: Int) throws(Failure) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: max(1, min(limit, 1 << 20)))
        while bytes.count < limit {
            let wanted = min(chunk.count, limit - bytes.count)
            let offset = off_t(bytes.count)
            let got = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, wanted, offset) }
            if got < 0 {
                if errno == EINTR { continue }
                throw .read(errno: errno)
            }
            if got == 0 { break }
            bytes.append(contentsOf: chunk[..<got])
        }
        return bytes
    }

    /// A description of a file type that is not a regular file ("a FIFO (named pipe)"), or nil for
    /// a regular file.
    public static func nonRegularKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "a special file"
        }
    }
}

// A top-level name, so that the method `close` above does not shadow the system call.
private func systemClose(_ fd: Int32) { _ = close(fd) }
