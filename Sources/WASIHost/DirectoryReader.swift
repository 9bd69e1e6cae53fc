#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Lists a directory through its descriptor without changing the descriptor's own position.
enum DirectoryReader {
    /// The names in `directory`, without `.` and `..`.
    static func names(in directory: HostFD) throws(WASIErrno) -> [[UInt8]] {
        try entries(in: directory).compactMap { entry in
            entry.name == [46] || entry.name == [46, 46] ? nil : entry.name
        }
    }

    /// Every entry of `directory`, `.` and `..` included, in the order the host returns them.
    static func entries(in directory: HostFD) throws(WASIErrno) -> [DirectoryEntry] {
        // A fresh descriptor for the same directory: closedir closes it, and the guest's
        // descriptor keeps its own offset.
        let fd = openat(directory.raw, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw WASIErrno.current }
        guard let stream = fdopendir(fd) else {
            let failure = WASIErrno.current
            close(fd)
            throw failure
        }
        defer { closedir(stream) }
        var result: [DirectoryEntry] = []
        while let pointer = readdir(stream) {
            let name = withUnsafeBytes(of: pointer.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 })
            }
            var type = fileType(fromDirentType: pointer.pointee.d_type)
            if type == WASIABI.FileType.unknown, let stat = try? directory.statEntry(name) {
                type = stat.wasiFileType
            }
            result.append(DirectoryEntry(name: name, inode: UInt64(pointer.pointee.d_ino), fileType: type))
        }
        return result
    }

    /// The WASI `filetype` for a `dirent` `d_type`.
    static func fileType(fromDirentType type: UInt8) -> UInt8 {
        switch Int32(type) {
        case Int32(DT_DIR): WASIABI.FileType.directory
        case Int32(DT_REG): WASIABI.FileType.regularFile
        case Int32(DT_LNK): WASIABI.FileType.symbolicLink
        case Int32(DT_CHR): WASIABI.FileType.characterDevice
        case Int32(DT_BLK): WASIABI.FileType.blockDevice
        case Int32(DT_SOCK): WASIABI.FileType.socketStream
        default: WASIABI.FileType.unknown
        }
    }
}
