import Foundation
import Multiformats

/// A content-addressed block store on disk, shared by every module, with per-module quotas,
/// recursive pins and garbage collection.
///
/// Guarantees:
/// - A block is stored only if its bytes hash to its CID (`Block` cannot be built otherwise).
/// - Block files are written to a temporary file in their shard directory, fsynced, renamed and the
///   directory fsynced; a crash leaves either no block or the whole block. Leftover temporary files
///   are removed when the store opens.
/// - `get` re-hashes what it reads; a block that rotted on disk is removed and reported.
/// - Pins survive restarts (`pins.json` plus a block list per pinned root, both replaced atomically);
///   blocks that are neither pinned nor held are garbage, removed by `collectGarbage()`.
/// - A block a put has written is held for its module (pending) until the caller pins something
///   that reaches it, releases it, or abandons it: no collection removes a held block, so a
///   collection never deletes the blocks of an import, fetch or CAR import still in progress.
/// - The bytes on disk never exceed `capacity`. A put that would pass it first collects the garbage
///   (collection on pressure) and fails with `.storeCapacityExceeded` only if that is not enough.
/// - A put that fails (quota, capacity, disk) writes nothing. Writers of many blocks (the importers,
///   Bitswap and gateway fetches) call `abandon` when they fail, which deletes every block they
///   wrote that nothing else holds, so a failed import or fetch leaves the store as it was.
/// - A read can hold a complete DAG in memory (`holdDAG`): garbage collection keeps it and the module
///   is charged as for a pin, but nothing is written, so reading local content works while the disk
///   cannot be written, and a crash mid-read leaves no pin behind.
/// - A put wakes the readers waiting for that block (`ArrivingBlockProvider`) once the block is
///   readable, so content can be read while a fetch is still storing it.
/// - Identity CIDs (multihash function 0x00) carry their block: `get`, `has` and `size(of:)` answer
///   them from the CID, `put` stores nothing, and pinned block lists never name them.
///
/// All methods are synchronous and thread-safe (one lock around the index; block I/O happens under it
/// for puts, pins and GC, so a collection never races a pin or a put).
public final class BlockStore: @unchecked Sendable {
    /// How a store is set up.
    public struct Configuration: Sendable {
        /// The directory holding the store (created if missing).
        public var directory: URL
        /// The most bytes of blocks the store keeps on disk (garbage included; a put that would pass
        /// it collects the garbage first).
        public var capacity: Int64
        /// The quota of a module not listed in `moduleQuotas`.
        public var defaultModuleQuota: Int64
        /// Per-module quotas in bytes.
        public var moduleQuotas: [String: Int64]
        /// The largest block accepted (default 2 MiB, the usual Bitswap limit).
        public var maxBlockSize: Int
        /// fsync files and directories (default true; turn off only for throw-away stores).
        public var durable: Bool

        /// A configuration with no quotas beyond `capacity`.
        public init(
            directory: URL, capacity: Int64 = .max, defaultModuleQuota: Int64 = .max,
            moduleQuotas: [String: Int64] = [:], maxBlockSize: Int = 2 << 20, durable: Bool = true
        ) {
            self.directory = directory
            self.capacity = capacity
            self.defaultModuleQuota = defaultModuleQuota
            self.moduleQuotas = moduleQuotas
            self.maxBlockSize = maxBlockSize
            self.durable = durable
        }
    }

    /// What `init` found and repaired.
    public struct OpenReport: Sendable, Equatable {
        /// Temporary files left by an interrupted write, now deleted.
        public var removedTemporaryFiles = 0
        /// Pins whose block list was missing or wrong and was rebuilt by walking the DAG.
        public var rebuiltDAGLists = 0
        /// Pins whose DAG is incomplete on disk (kept, so the content can be fetched again).
        public var damagedPins: [CID] = []
    }

    /// What a garbage collection removed.
    public struct GarbageReport: Sendable, Equatable {
        /// Blocks deleted.
        public var removedBlocks = 0
        /// Bytes freed.
        public var freedBytes: Int64 = 0

        /// Creates a report.
        public init(removedBlocks: Int = 0, freedBytes: Int64 = 0) {
            self.removedBlocks = removedBlocks
            self.freedBytes = freedBytes
        }
    }

    /// The configuration the store was opened with.
    public let configuration: Configuration
    /// What opening the store found.
    public private(set) var openReport = OpenReport()

    private let layout: BlockFileLayout
    private let index: PinIndex
    private let lock = NSLock()
    private var sizes: [String: Int64] = [:]
    private var storedBytes: Int64 = 0
    private var pins: [String: Set<CID>] = [:]
    private var dagLists: [String: [PinIndex.DAGEntry]] = [:]
    private var accounting = ModuleAccounting()
    /// Shard directories holding renamed but not yet directory-synced block files.
    private var unsyncedDirectories: Set<String> = []
    /// Collections a put made because the store was full.
    private var pressureCollections = 0
    /// Test hook: make the next block write stop as if the process died there.
    var crashPoint: DurableFile.CrashPoint?
    /// Readers waiting for blocks a fetch has not brought yet (``ArrivingBlockProvider``).
    let arrivals = BlockArrivals()

    /// Opens (or creates) a store: removes leftover temporary files, measures the blocks on disk,
    /// loads the pins and re-checks every pinned DAG's block list.
    /// - Throws: `IPFSError.io` or `.corruptIndex`.
    public init(_ configuration: Configuration) throws {
        self.configuration = configuration
        layout = BlockFileLayout(root: configuration.directory.path)
        index = PinIndex(layout: layout, sync: configuration.durable)
        var report = OpenReport()
        for shard in BlockFileLayout.allShards {
            try DurableFile.makeDirectory(layout.blocksDirectory + "/" + shard)
            try DurableFile.makeDirectory(layout.dagsDirectory + "/" + shard)
        }
        try scanBlocks(&report)
        pins = try index.loadPins()
        try loadPinnedDAGs(&report)
        openReport = report
    }

    // MARK: Blocks

    /// Stores a verified block on behalf of `module`, which then holds it until `release` (or a restart).
    /// - Throws: `.blockTooLarge`, `.moduleQuotaExceeded`, `.storeCapacityExceeded`, `.io`.
    public func put(_ block: Block, module: String) throws {
        try put(block, module: module, deferDirectorySync: false)
    }

    /// `put` for batch writers (imports): the block file is fsynced before its rename as always, but
    /// the shard directory is fsynced later, once per batch, by `syncPendingDirectories()` (which
    /// `pin` and `pinImported` call first). A crash before that can lose such a block, never corrupt it,
    /// and no pin can refer to it yet.
    func put(_ block: Block, module: String, deferDirectorySync: Bool) throws {
        // An identity CID carries its bytes: there is nothing to store or hold.
        if block.cid.multihash.function == .identity { return }
        let key = BlockFileLayout.key(of: block.cid)
        let size = Int64(block.data.count)
        guard block.data.count <= configuration.maxBlockSize else {
            throw IPFSError.blockTooLarge(size: block.data.count, limit: configuration.maxBlockSize)
        }
        try lock.withLock {
            if !accounting.holds(module, key) {
                let usage = accounting.usage(of: module)
                let quota = quota(of: module)
                if !Self.fits(size, over: usage, within: quota) {
                    throw IPFSError.moduleQuotaExceeded(module: module, usage: usage, needed: size, limit: quota)
                }
            }
            if sizes[key] == nil {
                if !Self.fits(size, over: storedBytes, within: configuration.capacity) {
                    // Pressure: what nothing holds goes first; only held blocks can make the put fail.
                    try collectGarbageLocked()
                    pressureCollections += 1
                }
                if !Self.fits(size, over: storedBytes, within: configuration.capacity) {
                    throw IPFSError.storeCapacityExceeded(usage: storedBytes, needed: size, capacity: configuration.capacity)
                }
                do {
                    let path = layout.blockPath(key: key)
                    try DurableFile.write(
                        block.data, to: path, sync: configuration.durable,
                        syncDirectory: !deferDirectorySync, crashAt: crashPoint)
                    if deferDirectorySync && configuration.durable {
                        unsyncedDirectories.insert((path as NSString).deletingLastPathComponent)
                    }
                } catch is DurableFile.SimulatedCrash {
                    throw IPFSError.io(operation: "simulated crash", path: layout.blockPath(key: key), message: "before rename")
                }
                sizes[key] = size
                storedBytes += size
            }
            accounting.hold(module, key, size: size)
        }
        // Outside the lock: a waiter's condition takes it.
        arrivals.announce(key)
    }

    /// Drops one hold `module` took with `put` (pins keep their own holds).
    public func release(_ cid: CID, module: String) {
        let key = BlockFileLayout.key(of: cid)
        lock.withLock { accounting.release(module, key, size: sizes[key] ?? 0) }
    }

    /// Undoes the puts of a failed import or fetch: drops one hold of `module` per entry of `cids`
    /// (as `release` does) and deletes every one of those blocks that nothing holds any more.
    /// Blocks that a pin or another writer in progress holds stay.
    /// - Returns: what was deleted.
    @discardableResult
    public func abandon(_ cids: [CID], module: String) -> GarbageReport {
        lock.withLock {
            var keys = Set<String>()
            for cid in cids where cid.multihash.function != .identity {
                let key = BlockFileLayout.key(of: cid)
                accounting.release(module, key, size: sizes[key] ?? 0)
                keys.insert(key)
            }
            var report = GarbageReport()
            for key in keys where !accounting.isHeld(key) {
                guard let size = sizes[key] else { continue }
                // A file that cannot be removed now stays counted; a later collection retries.
                guard (try? DurableFile.remove(layout.blockPath(key: key))) != nil else { continue }
                sizes[key] = nil
                storedBytes -= size
                report.removedBlocks += 1
                report.freedBytes += size
            }
            return report
        }
    }

    /// Reads and re-verifies a block; nil when the store does not have it. An identity CID is
    /// answered from the CID itself.
    /// - Throws: `.corruptBlockOnDisk` (and deletes the file) when the bytes no longer match.
    public func get(_ cid: CID) throws -> Block? {
        if let inline = Block.inline(cid) { return inline }
        let key = BlockFileLayout.key(of: cid)
        guard let data = try DurableFile.read(layout.blockPath(key: key), limit: configuration.maxBlockSize) else {
            return nil
        }
        do {
            try Block.verify(cid: cid, data: data[...])
        } catch {
            guard case .hashMismatch = error else { throw error }
            lock.withLock {
                try? DurableFile.remove(layout.blockPath(key: key))
                if let size = sizes.removeValue(forKey: key) { storedBytes -= size }
            }
            throw IPFSError.corruptBlockOnDisk(cid: cid.description)
        }
        return Block(trusted: cid, data: data)
    }

    /// True when the store has the block (always for an identity CID, which carries its block).
    public func has(_ cid: CID) -> Bool {
        if cid.multihash.function == .identity { return true }
        let key = BlockFileLayout.key(of: cid)
        return lock.withLock { sizes[key] != nil }
    }

    /// The size of a stored block (of an identity CID: its digest), or nil.
    public func size(of cid: CID) -> Int64? {
        if cid.multihash.function == .identity { return Int64(cid.multihash.digest.count) }
        let key = BlockFileLayout.key(of: cid)
        return lock.withLock { sizes[key] }
    }

    /// Deletes a block no pin or import holds (an identity CID has nothing to delete).
    /// - Throws: `.blockInUse` when something still holds it.
    public func delete(_ cid: CID) throws {
        if cid.multihash.function == .identity { return }
        let key = BlockFileLayout.key(of: cid)
        try lock.withLock {
            guard !accounting.isHeld(key) else { throw IPFSError.blockInUse(cid: cid.description) }
            guard let size = sizes[key] else { return }
            try DurableFile.remove(layout.blockPath(key: key))
            sizes[key] = nil
            storedBytes -= size
        }
    }

    // MARK: Pins

    /// Pins the whole DAG under `root` for `module` (recursive pin). Every block must be present;
    /// blocks the module did not hold yet are charged to it.
    /// - Throws: `.incompleteDAG`, `.moduleQuotaExceeded`, `.corruptBlockOnDisk`, `.io`.
    public func pin(_ root: CID, module: String) throws {
        try lock.withLock {
            if pins[module]?.contains(root) == true { return }
            try syncPendingDirectoriesLocked()
            let rootKey = BlockFileLayout.key(of: root)
            let entries: [PinIndex.DAGEntry]
            if let known = dagLists[rootKey] {
                entries = known
            } else {
                entries = try walkDAG(root)
            }
            try addPin(root, rootKey: rootKey, entries: entries, module: module)
        }
    }

    /// Pins a DAG whose block list the caller built itself while storing it (the importer).
    func pinImported(_ root: CID, entries: [PinIndex.DAGEntry], module: String) throws {
        try lock.withLock {
            if pins[module]?.contains(root) == true { return }
            try syncPendingDirectoriesLocked()
            for entry in entries where sizes[entry.key] == nil {
                throw IPFSError.incompleteDAG(root: root.description, missing: entry.key)
            }
            try addPin(root, rootKey: BlockFileLayout.key(of: root), entries: entries, module: module)
        }
    }

    /// A DAG held in memory by ``holdDAG(_:module:)``, given back with ``release(_:)``.
    public struct DAGHold: Sendable {
        /// The module the hold is charged to.
        public let module: String
        fileprivate let entries: [PinIndex.DAGEntry]
    }

    /// Holds the whole DAG under `root` for `module` without writing anything: until ``release(_:)``
    /// garbage collection keeps its blocks and the module is charged for them, as for a pin (what a
    /// read of local content needs). Every block must be present.
    /// - Throws: `.incompleteDAG`, `.blockNotFound`, `.moduleQuotaExceeded`, `.corruptBlockOnDisk`.
    public func holdDAG(_ root: CID, module: String) throws -> DAGHold {
        try lock.withLock {
            let entries = try dagLists[BlockFileLayout.key(of: root)] ?? walkDAG(root)
            try checkQuota(for: entries, module: module)
            for entry in entries { accounting.hold(module, entry.key, size: entry.size) }
            return DAGHold(module: module, entries: entries)
        }
    }

    /// Gives back a hold taken by ``holdDAG(_:module:)`` (once; its blocks may then be collected).
    public func release(_ hold: DAGHold) {
        lock.withLock {
            for entry in hold.entries { accounting.release(hold.module, entry.key, size: entry.size) }
        }
    }

    /// Removes `module`'s pin on `root`; its blocks become garbage unless something else holds them.
    /// - Throws: `.notPinned` when the module has no such pin.
    public func unpin(_ root: CID, module: String) throws {
        try lock.withLock {
            guard pins[module]?.contains(root) == true else {
                throw IPFSError.notPinned(cid: root.description, module: module)
            }
            var updated = pins
            updated[module]?.remove(root)
            if updated[module]?.isEmpty == true { updated[module] = nil }
            try index.savePins(updated)
            pins = updated
            let rootKey = BlockFileLayout.key(of: root)
            for entry in dagLists[rootKey] ?? [] {
                accounting.release(module, entry.key, size: entry.size)
            }
            let stillPinned = pins.values.contains { roots in
                roots.contains { BlockFileLayout.key(of: $0) == rootKey }
            }
            if !stillPinned {
                dagLists[rootKey] = nil
                try? index.removeDAG(rootKey: rootKey)
            }
        }
    }

    /// The roots `module` pins.
    public func pins(module: String) -> [CID] {
        lock.withLock { (pins[module] ?? []).sorted { $0.description < $1.description } }
    }

    /// Every root some module pins, each once (what a node announces as a DHT provider).
    public var pinnedRoots: [CID] {
        lock.withLock { Set(pins.values.joined()).sorted { $0.description < $1.description } }
    }

    /// True when `module` pins `root`.
    public func isPinned(_ root: CID, module: String) -> Bool {
        lock.withLock { pins[module]?.contains(root) == true }
    }

    // MARK: Accounting and garbage collection

    /// Bytes charged to `module` (see `ModuleAccounting` for how shared blocks are charged).
    public func usage(module: String) -> Int64 { lock.withLock { accounting.usage(of: module) } }

    /// Bytes of blocks on disk (each block counted once).
    public var storedSize: Int64 { lock.withLock { storedBytes } }

    /// Number of blocks on disk.
    public var blockCount: Int { lock.withLock { sizes.count } }

    /// The quota of `module`.
    public func quota(of module: String) -> Int64 {
        configuration.moduleQuotas[module] ?? configuration.defaultModuleQuota
    }

    /// Deletes every block that no pin and no writer in progress holds.
    @discardableResult
    public func collectGarbage() throws -> GarbageReport {
        try lock.withLock { try collectGarbageLocked() }
    }

    /// How many times a put found the store full and collected the garbage first.
    public var collectionsOnPressure: Int { lock.withLock { pressureCollections } }

    /// The bytes no pin and no writer holds (what `collectGarbage()` would free).
    public var garbageSize: Int64 {
        lock.withLock { sizes.reduce(0) { accounting.isHeld($1.key) ? $0 : $0 + $1.value } }
    }

    /// fsyncs every shard directory that batched puts have written to since the last call.
    public func syncPendingDirectories() throws {
        try lock.withLock { try syncPendingDirectoriesLocked() }
    }

    // MARK: Internals (called with the lock held)

    @discardableResult
    private func collectGarbageLocked() throws -> GarbageReport {
        var report = GarbageReport()
        for (key, size) in sizes where !accounting.isHeld(key) {
            try DurableFile.remove(layout.blockPath(key: key))
            sizes[key] = nil
            storedBytes -= size
            report.removedBlocks += 1
            report.freedBytes += size
        }
        return report
    }

    /// True when `size` more bytes on top of `usage` stay within `limit`, for any values (a
    /// negative or tiny limit simply does not fit; nothing here can overflow).
    static func fits(_ size: Int64, over usage: Int64, within limit: Int64) -> Bool {
        let (room, overflow) = limit.subtractingReportingOverflow(usage)
        return !overflow && size <= room
    }

    private func syncPendingDirectoriesLocked() throws {
        for directory in unsyncedDirectories.sorted() {
            try DurableFile.syncDirectory(directory)
            unsyncedDirectories.remove(directory)
        }
    }

    /// Throws `.moduleQuotaExceeded` when holding `entries` would take `module` past its quota
    /// (blocks it already holds cost nothing more).
    private func checkQuota(for entries: [PinIndex.DAGEntry], module: String) throws {
        let usage = accounting.usage(of: module)
        var extra: Int64 = 0
        var counted = Set<String>()
        for entry in entries where !accounting.holds(module, entry.key) && counted.insert(entry.key).inserted {
            extra += entry.size
        }
        let quota = quota(of: module)
        if extra > 0, !Self.fits(extra, over: usage, within: quota) {
            throw IPFSError.moduleQuotaExceeded(module: module, usage: usage, needed: extra, limit: quota)
        }
    }

    private func addPin(_ root: CID, rootKey: String, entries: [PinIndex.DAGEntry], module: String) throws {
        try checkQuota(for: entries, module: module)
        if dagLists[rootKey] == nil {
            try index.saveDAG(rootKey: rootKey, entries: entries)
        }
        var updated = pins
        updated[module, default: []].insert(root)
        try index.savePins(updated)
        pins = updated
        dagLists[rootKey] = entries
        for entry in entries { accounting.hold(module, entry.key, size: entry.size) }
    }

    /// Walks the DAG under `root` through the files on disk, verifying each block. Identity blocks
    /// are read from their CIDs (their links are followed) and left out of the list.
    private func walkDAG(_ root: CID) throws -> [PinIndex.DAGEntry] {
        var entries: [PinIndex.DAGEntry] = []
        let walker = DAGWalker { [self] cid in try Block.inline(cid)?.data ?? readVerified(cid) }
        try walker.walk(from: root) { cid, data in
            guard cid.multihash.function != .identity else { return }
            entries.append(PinIndex.DAGEntry(key: BlockFileLayout.key(of: cid), size: Int64(data.count)))
        }
        return entries
    }

    /// Reads and verifies a block without taking the lock; corrupt files are removed.
    private func readVerified(_ cid: CID) throws -> [UInt8]? {
        let key = BlockFileLayout.key(of: cid)
        guard let data = try DurableFile.read(layout.blockPath(key: key), limit: configuration.maxBlockSize) else {
            return nil
        }
        do {
            try Block.verify(cid: cid, data: data[...])
        } catch {
            try? DurableFile.remove(layout.blockPath(key: key))
            if let size = sizes.removeValue(forKey: key) { storedBytes -= size }
            throw IPFSError.corruptBlockOnDisk(cid: cid.description)
        }
        return data
    }

    private func scanBlocks(_ report: inout OpenReport) throws {
        let manager = FileManager.default
        for shard in BlockFileLayout.allShards {
            for directory in [layout.blocksDirectory, layout.dagsDirectory] {
                let path = directory + "/" + shard
                let names = (try? manager.contentsOfDirectory(atPath: path)) ?? []
                for name in names {
                    if name.hasPrefix(DurableFile.temporaryPrefix) {
                        try DurableFile.remove(path + "/" + name)
                        report.removedTemporaryFiles += 1
                    } else if directory == layout.blocksDirectory, name.allSatisfy(\.isHexDigit),
                              let size = DurableFile.size(path + "/" + name) {
                        sizes[name] = size
                        storedBytes += size
                    }
                }
            }
        }
    }

    private func loadPinnedDAGs(_ report: inout OpenReport) throws {
        for (module, roots) in pins {
            for root in roots {
                let rootKey = BlockFileLayout.key(of: root)
                var entries = dagLists[rootKey] ?? index.loadDAG(rootKey: rootKey)
                if let list = entries, !list.allSatisfy({ sizes[$0.key] == $0.size }) {
                    entries = nil
                }
                if entries == nil {
                    do {
                        let rebuilt = try walkDAG(root)
                        try index.saveDAG(rootKey: rootKey, entries: rebuilt)
                        entries = rebuilt
                        report.rebuiltDAGLists += 1
                    } catch {
                        report.damagedPins.append(root)
                        continue
                    }
                }
                let list = entries ?? []
                dagLists[rootKey] = list
                for entry in list { accounting.hold(module, entry.key, size: entry.size) }
            }
        }
    }
}
