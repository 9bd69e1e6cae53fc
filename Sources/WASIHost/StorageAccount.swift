#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the file system spends on one entry, the single rule behind both the start-up scan
/// (``StorageScanner``) and every later change (``StorageAccount``).
///
/// A name in a directory costs ``entryCost``. The inode behind it costs ``inodeCost`` plus its
/// content rounded up to whole blocks, counted once however many names (hard links) it has:
/// - a regular file: its logical size, rounded up (holes count in full, so a sparse file can never
///   be filled past the quota later);
/// - a directory: one block (an empty directory already takes one; the names in it are paid for
///   by their own ``entryCost``);
/// - a symbolic link: its target length, rounded up (so any link takes one block);
/// - anything else the host placed there: nothing beyond the inode.
///
/// Real file systems do not spend less: on ext4 with 4 KiB blocks, a 1-byte file or an empty
/// directory takes one block and a 256-byte inode, a directory entry about 16–264 bytes.
struct StorageCost: Sendable, Equatable {
    /// What one name in a directory costs.
    static let entryCost: UInt64 = 256
    /// What one inode costs (the inode size of ext4 and xfs).
    static let inodeCost: UInt64 = 256
    /// The smallest block size assumed, whatever the host file system reports.
    static let minimumBlockSize: UInt64 = 4096

    /// Sizes are rounded up to multiples of this (a power of two, at least 4 KiB).
    let blockSize: UInt64

    init(blockSize: UInt64 = StorageCost.minimumBlockSize) {
        // Round a strange value up to the next power of two so rounding stays exact.
        var size = Self.minimumBlockSize
        while size < blockSize && size < (1 << 30) { size <<= 1 }
        self.blockSize = size
    }

    /// The model for the file systems holding `directories`: their largest allocation unit
    /// (`f_frsize`), and never less than 4 KiB.
    static func forDirectories(_ directories: [HostFD]) -> StorageCost {
        var largest = minimumBlockSize
        for directory in directories {
            var info = statvfs()
            if fstatvfs(directory.raw, &info) == 0 {
                largest = max(largest, UInt64(info.f_frsize))
            }
        }
        return StorageCost(blockSize: largest)
    }

    /// `bytes` rounded up to whole blocks (saturating).
    func rounded(_ bytes: UInt64) -> UInt64 {
        let mask = blockSize - 1
        let (sum, overflow) = bytes.addingReportingOverflow(mask)
        return overflow ? UInt64.max & ~mask : sum & ~mask
    }

    /// The content cost of a regular file of `size` bytes.
    func fileContent(_ size: UInt64) -> UInt64 { rounded(size) }

    /// The content cost of a symbolic link whose target has `length` bytes.
    func symlinkContent(_ length: UInt64) -> UInt64 { rounded(max(length, 1)) }

    /// The content cost of a directory (its first block).
    var directoryContent: UInt64 { blockSize }

    /// What the inode behind `entry` costs, content included.
    func inode(_ entry: HostStat) -> UInt64 {
        let content: UInt64
        if entry.isRegularFile {
            content = fileContent(entry.size)
        } else if entry.isDirectory {
            content = directoryContent
        } else if entry.isSymlink {
            content = symlinkContent(entry.size)
        } else {
            content = 0
        }
        return Self.inodeCost + content
    }

    /// What `entry` costs: its name, plus its inode when `countingInode` (the first name of the
    /// inode seen, or the only one).
    func entry(_ entry: HostStat, countingInode: Bool) -> UInt64 {
        Self.entryCost + (countingInode ? inode(entry) : 0)
    }

    /// What creating a new regular file, directory or symlink costs before it exists.
    var newFile: UInt64 { Self.entryCost + Self.inodeCost + fileContent(0) }
    var newDirectory: UInt64 { Self.entryCost + Self.inodeCost + directoryContent }
    func newSymlink(targetLength: Int) -> UInt64 {
        Self.entryCost + Self.inodeCost + symlinkContent(UInt64(targetLength))
    }
}

/// Bytes and entries stored in the preopened directories, against the storage quota and the
/// entry cap.
///
/// The costs follow ``StorageCost``. Growing writes, truncation, `fd_allocate`, creation,
/// linking, unlinking and renaming over an entry all update it. A change that would take usage
/// above the quota, or the number of entries above ``entryLimit``, fails with `EDQUOT` and
/// changes nothing. Removing a name refunds only what the file system frees: the inode and its
/// content only with the last name, and for a file the guest still holds open only when its last
/// descriptor closes (see ``WASIState``).
struct StorageAccount {
    let quota: UInt64
    let entryLimit: Int
    let cost: StorageCost
    private(set) var used: UInt64
    private(set) var entries: Int

    init(quota: UInt64, used: UInt64, entryLimit: Int = .max, entries: Int = 0, cost: StorageCost = StorageCost()) {
        self.quota = quota
        self.used = used
        self.entryLimit = max(0, entryLimit)
        self.entries = max(0, entries)
        self.cost = cost
    }

    /// Bytes that may still be added.
    var available: UInt64 { quota > used ? quota - used : 0 }

    /// Fails with `EDQUOT` unless `bytes` more fit under the quota.
    func check(adding bytes: UInt64) throws(WASIErrno) {
        guard bytes <= available else { throw .dquot }
    }

    /// Fails with `EDQUOT` unless one more entry costing `bytes` fits under both limits.
    func checkNewEntry(costing bytes: UInt64) throws(WASIErrno) {
        guard entries < entryLimit else { throw .dquot }
        try check(adding: bytes)
    }

    /// Records `bytes` more in use (after a successful change that was checked first).
    mutating func add(_ bytes: UInt64) {
        let (sum, overflow) = used.addingReportingOverflow(bytes)
        used = overflow ? .max : sum
    }

    /// Records `bytes` freed.
    mutating func remove(_ bytes: UInt64) {
        used = used > bytes ? used - bytes : 0
    }

    /// Records a new entry costing `bytes` (checked first with ``checkNewEntry(costing:)``).
    mutating func addEntry(costing bytes: UInt64) {
        entries += 1
        add(bytes)
    }

    /// Records an entry removed, freeing `bytes`.
    mutating func removeEntry(freeing bytes: UInt64) {
        entries = max(0, entries - 1)
        remove(bytes)
    }

    /// Fails with `EDQUOT` unless a regular file may grow from `old` to `new` bytes.
    func checkFileGrowth(from old: UInt64, to new: UInt64) throws(WASIErrno) {
        let before = cost.fileContent(old), after = cost.fileContent(new)
        if after > before { try check(adding: after - before) }
    }

    /// Records a regular file's size change from `old` to `new` bytes.
    mutating func resizeFile(from old: UInt64, to new: UInt64) {
        let before = cost.fileContent(old), after = cost.fileContent(new)
        if after > before { add(after - before) } else { remove(before - after) }
    }

    /// What removing the name `entry` frees: the name, plus the inode and its content when this
    /// is its last name and nothing holds it open (`stillOpen`).
    func freed(byRemoving entry: HostStat, stillOpen: Bool) -> UInt64 {
        cost.entry(entry, countingInode: entry.isLastName && !stillOpen)
    }
}

extension HostStat {
    /// Whether this is the only name of its inode. A directory always is (its link count also
    /// counts `.` and the `..` of its subdirectories, but it cannot be hard-linked).
    var isLastName: Bool { isDirectory || linkCount <= 1 }
}
