/// What a guest descriptor number refers to.
enum DescriptorKind {
    case standardInput
    case standardOutput(any WASIOutputSink)
    case directory
    case regularFile
}

/// One entry of the guest's descriptor table.
final class Descriptor {
    let kind: DescriptorKind
    /// The host descriptor (directories and files only).
    let host: HostFD?
    /// The guest name of a preopened directory (nil for everything else).
    let preopenPath: String?
    /// Whether writes and tree changes through this descriptor are refused (`EROFS`).
    let readOnly: Bool
    /// Whether this descriptor counts toward ``FileDescriptorTable/maxOpen``.
    let countsTowardLimit: Bool
    var rightsBase: UInt64
    var rightsInheriting: UInt64
    var flags: UInt16
    /// The listing `fd_readdir` reads from (directories only; opened on first use).
    var stream: DirectoryStream?
    /// The host inode a guest-opened file or directory refers to. A name removed while the inode
    /// is open keeps its storage charged until the last such descriptor closes (the file system
    /// frees it only then).
    let inode: InodeKey?

    init(
        kind: DescriptorKind, host: HostFD? = nil, preopenPath: String? = nil, readOnly: Bool = false,
        countsTowardLimit: Bool = false, rightsBase: UInt64, rightsInheriting: UInt64, flags: UInt16 = 0,
        inode: InodeKey? = nil
    ) {
        self.kind = kind
        self.host = host
        self.preopenPath = preopenPath
        self.readOnly = readOnly
        self.countsTowardLimit = countsTowardLimit
        self.rightsBase = rightsBase
        self.rightsInheriting = rightsInheriting
        self.flags = flags
        self.inode = inode
    }

    /// Fails with `ENOTCAPABLE` unless this descriptor holds every right in `rights`.
    func require(_ rights: UInt64) throws(WASIErrno) {
        guard rightsBase & rights == rights else { throw .notcapable }
    }

    /// Fails with `ENOTCAPABLE` unless this descriptor holds at least one right in `rights`.
    func requireAny(_ rights: UInt64) throws(WASIErrno) {
        guard rightsBase & rights != 0 else { throw .notcapable }
    }

    /// The WASI `filetype` of this descriptor.
    var fileType: UInt8 {
        switch kind {
        case .standardInput, .standardOutput: WASIABI.FileType.characterDevice
        case .directory: WASIABI.FileType.directory
        case .regularFile: WASIABI.FileType.regularFile
        }
    }

    var isAppend: Bool { flags & WASIABI.FDFlags.append != 0 }
}

/// One entry read from a directory.
struct DirectoryEntry {
    let name: [UInt8]
    let inode: UInt64
    let fileType: UInt8
}

/// The guest's descriptor numbers. New numbers are the lowest free ones; the guest may hold at
/// most `maxOpen` descriptors that it opened itself (`EMFILE` beyond).
struct FileDescriptorTable {
    private(set) var entries: [UInt32: Descriptor] = [:]
    let maxOpen: Int
    private(set) var openCount = 0

    init(maxOpen: Int) {
        self.maxOpen = max(0, maxOpen)
    }

    /// The descriptor `fd`, or `EBADF`.
    func get(_ fd: UInt32) throws(WASIErrno) -> Descriptor {
        guard let entry = entries[fd] else { throw .badf }
        return entry
    }

    /// Whether another guest-opened descriptor fits under the cap.
    var hasRoom: Bool { openCount < maxOpen }

    /// Adds `descriptor` under the lowest free number and returns it. `EMFILE` when it counts
    /// toward the cap and the cap is reached.
    mutating func insert(_ descriptor: Descriptor) throws(WASIErrno) -> UInt32 {
        if descriptor.countsTowardLimit {
            guard hasRoom else { throw .mfile }
        }
        var number: UInt32 = 0
        while entries[number] != nil {
            guard number < UInt32.max else { throw .nfile }
            number += 1
        }
        entries[number] = descriptor
        if descriptor.countsTowardLimit { openCount += 1 }
        return number
    }

    /// Removes `fd` (its host descriptor closes when nothing else holds it).
    @discardableResult
    mutating func remove(_ fd: UInt32) throws(WASIErrno) -> Descriptor {
        guard let entry = entries.removeValue(forKey: fd) else { throw .badf }
        if entry.countsTowardLimit { openCount -= 1 }
        return entry
    }

    /// Moves `from` to `to`, closing what `to` held (returned). Both must be open.
    @discardableResult
    mutating func renumber(_ from: UInt32, to: UInt32) throws(WASIErrno) -> Descriptor? {
        guard entries[from] != nil, entries[to] != nil else { throw .badf }
        guard from != to else { return nil }
        let moving = try remove(from)
        let closed = try remove(to)
        entries[to] = moving
        if moving.countsTowardLimit { openCount += 1 }
        return closed
    }

    /// Whether a guest-opened descriptor still refers to `inode`.
    func isOpen(_ inode: InodeKey) -> Bool {
        entries.values.contains { $0.countsTowardLimit && $0.inode == inode }
    }

    /// Drops every entry.
    mutating func removeAll() {
        entries.removeAll()
        openCount = 0
    }
}
