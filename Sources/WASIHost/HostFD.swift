#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open host file descriptor, closed when the last reference goes away.
final class HostFD {
    /// The raw descriptor number.
    let raw: Int32

    init(_ raw: Int32) {
        self.raw = raw
    }

    deinit {
        close(raw)
    }

    /// `fstat` of this descriptor.
    func stat() throws(WASIErrno) -> HostStat {
        var buffer = Glibc.stat()
        guard fstat(raw, &buffer) == 0 else { throw WASIErrno.current }
        return HostStat(buffer)
    }

    /// `fstatat(self, name, AT_SYMLINK_NOFOLLOW)`: the entry itself, never a symlink's target.
    func statEntry(_ name: [UInt8]) throws(WASIErrno) -> HostStat {
        var buffer = Glibc.stat()
        let status = try withCName(name) { fstatat(raw, $0, &buffer, AT_SYMLINK_NOFOLLOW) }
        guard status == 0 else { throw WASIErrno.current }
        return HostStat(buffer)
    }

    /// Like ``statEntry(_:)`` but nil when there is no such entry.
    func statEntryIfPresent(_ name: [UInt8]) throws(WASIErrno) -> HostStat? {
        do throws(WASIErrno) {
            return try statEntry(name)
        } catch .noent {
            return nil
        }
    }

    /// The target of the symbolic link `name`, or nil when `name` is missing or not a link.
    func symlinkTarget(_ name: [UInt8]) throws(WASIErrno) -> [UInt8]? {
        guard let entry = try statEntryIfPresent(name), entry.isSymlink else { return nil }
        return try readLink(name)
    }

    /// `readlinkat(self, name)`.
    func readLink(_ name: [UInt8]) throws(WASIErrno) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 4097)
        let count = try withCName(name) { path in
            buffer.withUnsafeMutableBytes { bytes -> Int in
                guard let base = bytes.baseAddress else { return -1 }
                return readlinkat(raw, path, base.assumingMemoryBound(to: CChar.self), 4097)
            }
        }
        guard count >= 0 else { throw WASIErrno.current }
        guard count <= 4096 else { throw WASIErrno.nametoolong }
        return Array(buffer.prefix(count))
    }

    /// `openat(self, name, flags, mode)`; always adds `O_CLOEXEC`.
    func open(_ name: [UInt8], flags: Int32, mode: mode_t = 0o644) throws(WASIErrno) -> HostFD {
        let fd = try withCName(name) { Glibc.openat(raw, $0, flags | O_CLOEXEC, mode) }
        guard fd >= 0 else { throw WASIErrno.current }
        return HostFD(fd)
    }
}

/// Calls `body` with `name` as a NUL-terminated C string. Names containing NUL are refused.
func withCName<R>(_ name: [UInt8], _ body: (UnsafePointer<CChar>) throws -> R) throws(WASIErrno) -> R {
    guard !name.contains(0) else { throw WASIErrno.inval }
    var terminated = name
    terminated.append(0)
    do {
        return try terminated.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { throw WASIErrno.inval }
            return try base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { try body($0) }
        }
    } catch let error as WASIErrno {
        throw error
    } catch {
        throw WASIErrno.io
    }
}

/// The fields of a host `struct stat` that WASI reports.
struct HostStat {
    var device: UInt64
    var inode: UInt64
    var mode: UInt32
    var linkCount: UInt64
    var size: UInt64
    var accessTime: UInt64
    var modificationTime: UInt64
    var changeTime: UInt64

    init(_ st: Glibc.stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        mode = UInt32(st.st_mode)
        linkCount = UInt64(st.st_nlink)
        size = UInt64(max(0, st.st_size))
        accessTime = Self.nanoseconds(st.st_atim)
        modificationTime = Self.nanoseconds(st.st_mtim)
        changeTime = Self.nanoseconds(st.st_ctim)
    }

    private static func nanoseconds(_ time: timespec) -> UInt64 {
        guard time.tv_sec >= 0 else { return 0 }
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(max(0, time.tv_nsec))
    }

    var fileType: UInt32 { mode & UInt32(S_IFMT) }
    var isDirectory: Bool { fileType == UInt32(S_IFDIR) }
    var isRegularFile: Bool { fileType == UInt32(S_IFREG) }
    var isSymlink: Bool { fileType == UInt32(S_IFLNK) }

    /// The WASI `filetype`.
    var wasiFileType: UInt8 {
        switch fileType {
        case UInt32(S_IFDIR): WASIABI.FileType.directory
        case UInt32(S_IFREG): WASIABI.FileType.regularFile
        case UInt32(S_IFLNK): WASIABI.FileType.symbolicLink
        case UInt32(S_IFCHR): WASIABI.FileType.characterDevice
        case UInt32(S_IFBLK): WASIABI.FileType.blockDevice
        case UInt32(S_IFSOCK): WASIABI.FileType.socketStream
        default: WASIABI.FileType.unknown
        }
    }
}
