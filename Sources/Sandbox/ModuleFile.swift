import Foundation
import SandboxEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a module file cannot be read, phrased to follow its path ("'x.wasm' is a directory").
enum ModuleFileError: Error {
    case open(errno: Int32)
    case read(errno: Int32)
    case notRegular(String)
    case tooLarge

    var reason: String {
        switch self {
        case .open(let code): "cannot be opened: \(Self.describe(code))"
        case .read(let code): "cannot be read: \(Self.describe(code))"
        case .notRegular(let kind): "is \(kind), not a regular file"
        case .tooLarge: "is larger than the \(Units.formatBytes(UInt64(ModuleLoader.maximumFileSize))) module limit"
        }
    }

    private static func describe(_ code: Int32) -> String {
        switch code {
        case ENOENT: "no such file"
        case EACCES, EPERM: "permission denied"
        default: String(cString: strerror(code))
        }
    }
}

extension Error {
    /// The reason text of a ``ModuleFileError``, else the error's description.
    var reason: String { (self as? ModuleFileError)?.reason ?? "\(self)" }
}

/// An open module file: a regular file, checked on its descriptor (so a symlink is judged by what
/// it points to, and a file swapped after the check cannot slip through), of at most
/// ``ModuleLoader/maximumFileSize`` bytes when opened.
struct ModuleFile {
    let descriptor: Int32

    init(path: String) throws(ModuleFileError) {
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever. It has
        // no effect on reading regular files, the only kind read below.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .open(errno: errno) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let code = errno
            posixClose(fd)
            throw .open(errno: code)
        }
        let kind = status.st_mode & S_IFMT
        guard kind == S_IFREG else {
            posixClose(fd)
            throw .notRegular(Self.name(ofKind: kind))
        }
        guard status.st_size <= off_t(ModuleLoader.maximumFileSize) else {
            posixClose(fd)
            throw .tooLarge
        }
        descriptor = fd
    }

    /// Reads from the start until end of file or `limit` bytes, whichever comes first.
    func read(atMost limit: Int) throws(ModuleFileError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(limit, 1 << 20))
        while bytes.count < limit {
            let wanted = min(chunk.count, limit - bytes.count)
            let got = chunk.withUnsafeMutableBytes { posixRead(descriptor, $0.baseAddress, wanted) }
            if got < 0 {
                if errno == EINTR { continue }
                throw .read(errno: errno)
            }
            if got == 0 { break }
            bytes.append(contentsOf: chunk[..<got])
        }
        return bytes
    }

    func close() {
        posixClose(descriptor)
    }

    private static func name(ofKind kind: mode_t) -> String {
        switch kind {
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "a special file"
        }
    }
}

// Top-level names, so that the methods `read` and `close` above do not shadow the system calls.
private func posixClose(_ fd: Int32) { _ = close(fd) }
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int { read(fd, buffer, count) }
