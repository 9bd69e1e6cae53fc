/// Bytes stored in the preopened directories, against the storage quota.
///
/// Accounting rule (the same for the start-up scan and every later change): each directory
/// entry costs ``entryCost`` bytes, plus the logical size of a regular file (counted once per
/// inode, however many hard links it has) or the length of a symlink's target. Growing writes,
/// truncation, `fd_allocate`, creation, linking, unlinking and renaming over an entry all update
/// it. A change that would take usage above the quota fails with `EDQUOT` and changes nothing.
struct StorageAccount {
    /// What one directory entry costs, so that empty files and directories are not free.
    static let entryCost: UInt64 = 256

    let quota: UInt64
    private(set) var used: UInt64

    init(quota: UInt64, used: UInt64) {
        self.quota = quota
        self.used = used
    }

    /// Bytes that may still be added.
    var available: UInt64 { quota > used ? quota - used : 0 }

    /// Fails with `EDQUOT` unless `bytes` more fit under the quota.
    func check(adding bytes: UInt64) throws(WASIErrno) {
        guard bytes <= available else { throw .dquot }
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

    /// Records a size change from `old` to `new`.
    mutating func resize(from old: UInt64, to new: UInt64) {
        if new > old { add(new - old) } else { remove(old - new) }
    }

    /// What removing an entry with these attributes frees: the entry, plus its content when this
    /// is the last link.
    static func cost(ofRemoving entry: HostStat) -> UInt64 {
        if entry.isRegularFile { return entryCost + (entry.linkCount <= 1 ? entry.size : 0) }
        if entry.isSymlink { return entryCost + entry.size }
        return entryCost
    }
}
