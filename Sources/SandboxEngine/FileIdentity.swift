#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What identifies one version of a file on disk without reading it: path, device, inode, size
/// and modification time. A change to any of them means the file must be hashed again (the
/// Wasmtime library's verdict cache, the JavaScript engine's verified bytes).
public struct FileIdentity: Hashable, Sendable {
    public let path: String
    public let device: UInt64
    public let inode: UInt64
    public let size: Int64
    public let modifiedSeconds: Int64
    public let modifiedNanoseconds: Int64

    /// Reads the identity with stat(2); nil when the file does not exist or is not a regular file.
    public init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        self.path = path
        self.device = UInt64(info.st_dev)
        self.inode = UInt64(info.st_ino)
        self.size = Int64(info.st_size)
        #if canImport(Darwin)
        self.modifiedSeconds = Int64(info.st_mtimespec.tv_sec)
        self.modifiedNanoseconds = Int64(info.st_mtimespec.tv_nsec)
        #else
        self.modifiedSeconds = Int64(info.st_mtim.tv_sec)
        self.modifiedNanoseconds = Int64(info.st_mtim.tv_nsec)
        #endif
    }

    /// A stable text form, used as the key of the verdict cache.
    public var key: String {
        "\(path)|dev=\(device)|ino=\(inode)|size=\(size)|mtime=\(modifiedSeconds).\(modifiedNanoseconds)"
    }
}
