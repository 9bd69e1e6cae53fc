import Foundation
import IPFS
import Multiformats

extension Harness {
    /// Reading UnixFS content out of a hostile DAG (`UnixFSExporter`: kind, read, ranges, list,
    /// resolve, export to disk). Input: a CAR file; its blocks are the only blocks there are, its
    /// first root is the content. Invariants: a file read yields exactly the size the exporter
    /// declared; a range read is the same slice of the whole; every listed entry resolves by name
    /// to its CID; an exported file holds the bytes read; no call loads more blocks than
    /// `maxBlockLoads` (links may point at one block many times, so a small DAG can describe a
    /// file or tree far larger than the input).
    public static func unixFSExport(_ bytes: [UInt8]) async throws {
        var blocks: [CID: Block] = [:]
        let root: CID
        do {
            let reader = try await CARReader(source: ArrayByteSource(bytes), maxBlockSize: 1 << 16)
            guard let first = reader.header.roots.first else { return }
            root = first
            // Whatever precedes a broken section is still usable, as when a transfer is cut short.
            while blocks.count < 1000, let block = try? await reader.next() { blocks[block.cid] = block }
        } catch {
            return
        }
        // Small limits. The provider's own budget only stops a runaway input (the exporter's
        // limit failing); each call is checked against `maxBlockLoads` below.
        let provider = CountingProvider(blocks: blocks, budget: 100_000)
        let limits = UnixFSExportLimits(maxLinksPerFileNode: 64, maxDepth: 16, maxDirectoryEntries: 256, maxBlockLoads: 2000)
        let exporter = UnixFSExporter(provider: provider, limits: limits)
        let loads = provider.loads
        func checkLoads(_ before: Int, _ call: String) throws {
            let used = loads.count - before
            try fuzzCheck(used <= limits.maxBlockLoads, "\(call) loaded \(used) blocks, limit \(limits.maxBlockLoads)")
        }
        var before = loads.count
        guard let kind = try? await exporter.kind(of: root) else { return }
        try checkLoads(before, "kind")
        switch kind {
        case .file(let size):
            before = loads.count
            guard size <= 1 << 20 else {
                // Too large to keep: read it through, dropping the bytes, for the load bound.
                var total: UInt64 = 0
                _ = try? await exporter.read(root) { piece in total += UInt64(piece.count) }
                try checkLoads(before, "read")
                return
            }
            let read = await readFile(exporter, root, range: nil)
            try checkLoads(before, "read")
            guard let whole = read else { return }
            try fuzzCheck(UInt64(whole.count) == size, "read \(whole.count) bytes of a \(size)-byte file")
            if size > 0 {
                let lower = size / 3, upper = size - size / 4
                before = loads.count
                let part = await readFile(exporter, root, range: lower ..< upper)
                try checkLoads(before, "range read")
                if let part {
                    try fuzzCheck(part == Array(whole[Int(lower) ..< Int(upper)]), "range \(lower)..<\(upper) differs from the whole file")
                }
            }
            before = loads.count
            try await checkExport(exporter, root, file: whole)
            try checkLoads(before, "export")
        case .directory:
            before = loads.count
            let listed = try? await exporter.list(root)
            try checkLoads(before, "list")
            guard let entries = listed else { return }
            try fuzzCheck(entries.count <= limits.maxDirectoryEntries, "\(entries.count) entries listed")
            var seen = Set<String>()
            for entry in entries.prefix(16) where seen.insert(entry.name).inserted {
                // Names the exporter would refuse on disk must be refused as path segments too.
                guard (try? UnixFSEntryName.validate(entry.name)) != nil, !entry.name.contains("/") else { continue }
                before = loads.count
                let resolved = try? await exporter.resolve(root, path: entry.name)
                try checkLoads(before, "resolve")
                try fuzzCheck(resolved == entry.cid, "entry \(entry.name.debugDescription) resolves to \(String(describing: resolved))")
            }
            before = loads.count
            try await checkExport(exporter, root, file: nil)
            try checkLoads(before, "export")
        case .symlink:
            return
        }
    }

    /// The bytes of the file at `cid` (or a range of it), or nil when the exporter refuses.
    private static func readFile(_ exporter: UnixFSExporter, _ cid: CID, range: Range<UInt64>?) async -> [UInt8]? {
        var bytes: [UInt8] = []
        do {
            try await exporter.read(cid, range: range) { piece in bytes += piece }
        } catch {
            return nil
        }
        return bytes
    }

    /// Exports into a fresh temporary folder: nothing may appear outside it, and an exported file
    /// holds `file` (when the whole read succeeded).
    private static func checkExport(_ exporter: UnixFSExporter, _ root: CID, file: [UInt8]?) async throws {
        let manager = FileManager.default
        let folder = manager.temporaryDirectory.appendingPathComponent("station-fuzz-unixfs-\(UUID().uuidString)")
        try? manager.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? manager.removeItem(at: folder) }
        let destination = folder.appendingPathComponent("out")
        let exported = (try? await exporter.export(root, to: destination)) != nil
        let top = (try? manager.contentsOfDirectory(atPath: folder.path)) ?? []
        try fuzzCheck(top.allSatisfy { $0 == "out" }, "export wrote \(top) beside its destination")
        if exported, let file {
            let written: [UInt8]? = manager.contents(atPath: destination.path).map { [UInt8]($0) }
            try fuzzCheck(written == file, "exported file differs from the bytes read")
        }
    }
}

/// Blocks from memory, with a budget on how many loads one input may cost.
private struct CountingProvider: BlockProvider {
    let blocks: [CID: Block]
    let loads: LoadCounter

    init(blocks: [CID: Block], budget: Int) {
        self.blocks = blocks
        self.loads = LoadCounter(budget: budget)
    }

    func block(for cid: CID) async throws -> Block? {
        try loads.take()
        return blocks[cid]
    }
}

private struct LoadBudgetExhausted: Error {}

private final class LoadCounter: @unchecked Sendable {
    // One input runs on one task at a time, but the exporter's calls may hop threads.
    private let lock = NSLock()
    private var left: Int

    private var taken = 0

    init(budget: Int) { left = budget }

    /// Loads so far.
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return taken
    }

    func take() throws {
        lock.lock()
        defer { lock.unlock() }
        taken += 1
        guard left > 0 else { throw LoadBudgetExhausted() }
        left -= 1
    }
}
