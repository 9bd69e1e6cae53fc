import Foundation
import Multiformats

/// The persistent part of a block store's index: which module pins which roots, and for each
/// pinned root the list of blocks in its DAG.
///
/// Both are written with `DurableFile` (temp, fsync, rename, fsync dir), so after a crash each file is
/// either the old or the new version. The DAG lists never change once written: a root names its DAG.
struct PinIndex {
    let layout: BlockFileLayout
    let sync: Bool

    /// The contents of `pins.json`.
    struct PinsFile: Codable, Equatable {
        var version: Int
        /// Module name -> pinned root CIDs (as strings), sorted.
        var pins: [String: [String]]
    }

    /// One block of a pinned DAG: storage key and size.
    struct DAGEntry: Equatable, Sendable {
        let key: String
        let size: Int64
    }

    /// Reads `pins.json`; a missing file is an empty index.
    func loadPins() throws -> [String: Set<CID>] {
        guard let bytes = try DurableFile.read(layout.pinsFile, limit: 256 << 20) else { return [:] }
        let file: PinsFile
        do {
            file = try JSONDecoder().decode(PinsFile.self, from: Data(bytes))
        } catch {
            throw IPFSError.corruptIndex(path: layout.pinsFile, reason: "\(error)")
        }
        guard file.version == 1 else {
            throw IPFSError.corruptIndex(path: layout.pinsFile, reason: "unknown version \(file.version)")
        }
        var pins: [String: Set<CID>] = [:]
        for (module, roots) in file.pins {
            var set = Set<CID>()
            for text in roots {
                guard let cid = try? CID(text) else {
                    throw IPFSError.corruptIndex(path: layout.pinsFile, reason: "bad CID '\(text.prefix(100))'")
                }
                set.insert(cid)
            }
            if !set.isEmpty { pins[module] = set }
        }
        return pins
    }

    /// Atomically replaces `pins.json`.
    func savePins(_ pins: [String: Set<CID>]) throws {
        var file = PinsFile(version: 1, pins: [:])
        for (module, roots) in pins where !roots.isEmpty {
            file.pins[module] = roots.map(\.description).sorted()
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = try encoder.encode(file)
        try DurableFile.write(data, to: layout.pinsFile, sync: sync)
    }

    /// Reads the block list of a pinned root, or nil when it is missing or malformed.
    func loadDAG(rootKey: String) -> [DAGEntry]? {
        guard let bytes = try? DurableFile.read(layout.refsPath(key: rootKey), limit: 1 << 30) else { return nil }
        var entries: [DAGEntry] = []
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let size = Int64(parts[1]), size >= 0,
                  parts[0].allSatisfy(\.isHexDigit) else { return nil }
            entries.append(DAGEntry(key: String(parts[0]), size: size))
        }
        return entries
    }

    /// Atomically writes the block list of a root.
    func saveDAG(rootKey: String, entries: [DAGEntry]) throws {
        var text = ""
        text.reserveCapacity(entries.count * 80)
        for entry in entries { text += "\(entry.key) \(entry.size)\n" }
        let path = layout.refsPath(key: rootKey)
        try DurableFile.makeDirectory((path as NSString).deletingLastPathComponent)
        try DurableFile.write(Array(text.utf8), to: path, sync: sync)
    }

    /// Deletes the block list of a root that no module pins any more.
    func removeDAG(rootKey: String) throws {
        try DurableFile.remove(layout.refsPath(key: rootKey))
    }
}
