import Crypto
import Foundation
import SandboxEngine

/// The jobs-completed total of a JavaScript module run with `station run`, kept across runs in the
/// state folder as Zinnia's daemon keeps it (`state.json`, zinnia-api.md §7):
///
/// ```json
/// {
///   "total_jobs_completed": 12
/// }
/// ```
///
/// One file per module: `STATE/js-jobs/<name>-<first 16 hex digits of SHA-256(root + NUL + entry)>.json`,
/// so two modules with the same file name in different folders keep separate totals. Written
/// atomically (temporary file + rename) before the total is printed, so a total a front end has
/// seen never goes back. A missing or unreadable file counts as 0.
public struct JavaScriptJobTotal: Sendable {
    /// The file holding the total.
    public let path: String

    /// The total's file for `module` in the state folder `stateFolder`.
    public init(module: JavaScriptModule, stateFolder: String) {
        let key = SHA256.hash(data: Data((module.root + "\u{0}" + module.entryInRoot).utf8))
            .prefix(8).map { String(format: "%02x", $0) }.joined()
        let safeName = String(module.name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }.prefix(64))
        path = URL(fileURLWithPath: stateFolder).appendingPathComponent("js-jobs")
            .appendingPathComponent("\(safeName)-\(key).json").path
    }

    /// The stored total; 0 when there is none or the file is not a total (it is replaced on the
    /// next write).
    public func load() -> UInt64 {
        guard let bytes = try? RegularFile(path: path, maximumSize: 4096).read(atMost: 4096),
              let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
              let number = object["total_jobs_completed"] as? NSNumber,
              number.int64Value >= 0
        else { return 0 }
        return number.uint64Value
    }

    /// Stores `total` (pretty JSON, as Zinnia writes it), creating the folder when needed.
    public func store(_ total: UInt64) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temporary = folder.appendingPathComponent(".\(URL(fileURLWithPath: path).lastPathComponent).\(getpid()).tmp")
        try Data("{\n  \"total_jobs_completed\": \(total)\n}".utf8).write(to: temporary)
        guard rename(temporary.path, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot rename into \(path): \(reason)"])
        }
    }
}
