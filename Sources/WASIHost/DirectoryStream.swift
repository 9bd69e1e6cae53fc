#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open directory listing behind one guest descriptor, read in pieces by `fd_readdir`.
///
/// Positions are the host's own `telldir` values, handed to the guest as cookies, so nothing is
/// buffered on the host however large the directory is. The stream has its own host
/// descriptor (opened from the directory with `openat(".")`).
final class DirectoryStream {
    private let stream: OpaquePointer
    private let directory: HostFD

    init(directory: HostFD) throws(WASIErrno) {
        let fd = openat(directory.raw, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw WASIErrno.current }
        guard let stream = fdopendir(fd) else {
            let failure = WASIErrno.current
            close(fd)
            throw failure
        }
        self.stream = stream
        self.directory = directory
    }

    deinit {
        closedir(stream)
    }

    /// Moves to the position a cookie names (0 is the start).
    func seek(to cookie: UInt64) {
        if cookie == 0 {
            rewinddir(stream)
        } else {
            seekdir(stream, Int(truncatingIfNeeded: cookie))
        }
    }

    /// The next entry and the cookie of the position after it, or nil at the end.
    func next() -> (entry: DirectoryEntry, nextCookie: UInt64)? {
        guard let pointer = readdir(stream) else { return nil }
        let name = withUnsafeBytes(of: pointer.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
        var type = DirectoryReader.fileType(fromDirentType: pointer.pointee.d_type)
        if type == WASIABI.FileType.unknown, let stat = try? directory.statEntry(name) {
            type = stat.wasiFileType
        }
        let position = telldir(stream)
        return (DirectoryEntry(name: name, inode: UInt64(pointer.pointee.d_ino), fileType: type), UInt64(bitPattern: Int64(position)))
    }
}
