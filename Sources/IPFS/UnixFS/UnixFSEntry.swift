import Multiformats

/// One entry of a UnixFS directory.
public struct UnixFSDirectoryEntry: Sendable, Equatable {
    /// The entry name as stored (check it with `UnixFSEntryName.validate` before using it as a path).
    public var name: String
    /// The entry's CID.
    public var cid: CID
    /// The size of the entry's DAG (link `Tsize`), if recorded.
    public var totalSize: UInt64?
}

/// What a UnixFS root is: a file of some size, a directory, or something we do not export.
public enum UnixFSNodeKind: Sendable, Equatable {
    /// A file (raw block or UnixFS file) of `size` bytes.
    case file(size: UInt64)
    /// A basic directory.
    case directory
    /// A symbolic link with its target (never followed).
    case symlink(target: String)
}

/// Rules for directory entry names written to a file system or used in paths.
public enum UnixFSEntryName {
    /// Throws unless `name` is a single safe path component: not empty, not "." or "..",
    /// no "/" and no NUL.
    public static func validate(_ name: String) throws(IPFSError) {
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), !name.utf8.contains(0) else {
            throw .unsafeEntryName(name)
        }
    }
}
