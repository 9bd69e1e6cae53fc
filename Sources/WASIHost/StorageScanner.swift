#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Measures the storage already used under the preopened directories with the costs of
/// ``StorageCost`` (the same rule ``StorageAccount`` applies to every later change): never
/// following symlinks, visiting each directory once, counting each inode once however many names
/// it has, and stopping after `entryLimit` entries or below `maxDepth` levels (then the result is
/// marked incomplete).
struct StorageScanner {
    static let maxDepth = 64

    let entryLimit: Int
    let cost: StorageCost
    private(set) var bytes: UInt64 = 0
    private(set) var entries = 0
    private(set) var complete = true
    private var seenInodes = Set<InodeKey>()
    private var seenRoots = Set<InodeKey>()

    init(entryLimit: Int, cost: StorageCost = StorageCost()) {
        self.entryLimit = max(0, entryLimit)
        self.cost = cost
    }

    /// Adds everything below `root` (the root itself is not charged). A root already scanned
    /// (two preopens of the same directory) is skipped.
    mutating func scan(root: HostFD) {
        guard let rootStat = try? root.stat() else { complete = false; return }
        guard seenRoots.insert(InodeKey(rootStat)).inserted else { return }
        scanDirectory(root, depth: 0)
    }

    private mutating func scanDirectory(_ directory: HostFD, depth: Int) {
        guard depth < Self.maxDepth else { complete = false; return }
        let names: [[UInt8]]
        do {
            names = try DirectoryReader.names(in: directory)
        } catch {
            complete = false
            return
        }
        for name in names {
            guard complete else { return }
            entries += 1
            guard entries <= entryLimit else { complete = false; return }
            guard let entry = try? directory.statEntry(name) else { continue }
            // A directory has one name; any other inode is counted with the first name met.
            let firstName = entry.isLastName || seenInodes.insert(InodeKey(entry)).inserted
            add(cost.entry(entry, countingInode: firstName))
            if entry.isDirectory {
                guard let child = try? directory.open(name, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW) else { continue }
                scanDirectory(child, depth: depth + 1)
            }
        }
    }

    private mutating func add(_ value: UInt64) {
        let (sum, overflow) = bytes.addingReportingOverflow(value)
        bytes = overflow ? .max : sum
    }
}

/// Identifies an inode on the host.
struct InodeKey: Hashable {
    let device: UInt64
    let inode: UInt64

    init(_ stat: HostStat) {
        device = stat.device
        inode = stat.inode
    }
}
