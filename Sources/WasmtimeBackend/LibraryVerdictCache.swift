import Foundation
import SandboxEngine

/// Remembers which library files were already hashed and found to be a known build, so that
/// start-up does not hash 30 MB every time.
///
/// One small marker file per verified file version, named by SHA-256 of its ``FileIdentity``
/// (path, device, inode, size, mtime) and holding the library's SHA-256. Replacing or touching the
/// library changes its identity, so it is hashed again. Only positive verdicts are stored.
struct LibraryVerdictCache {
    let directory: URL

    /// `${XDG_CACHE_HOME:-$HOME/.cache}/station/wasmtime-verified`.
    static func defaultDirectory(environment: [String: String]) -> URL {
        let base: String
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            base = xdg
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.cache"
        }
        return URL(fileURLWithPath: base).appendingPathComponent("station/wasmtime-verified", isDirectory: true)
    }

    private func markerURL(for identity: FileIdentity) -> URL {
        directory.appendingPathComponent(Hashing.sha256Hex(identity.key))
    }

    /// The library hash recorded for this exact file version, if any.
    func recordedHash(for identity: FileIdentity) -> String? {
        guard let data = try? Data(contentsOf: markerURL(for: identity)), data.count <= 128 else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// Records that this file version hashes to `sha256`. Best effort: a read-only cache only
    /// costs a re-hash next time.
    func record(_ sha256: String, for identity: FileIdentity) {
        let fileManager = FileManager.default
        do {
            try fileManager.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let target = markerURL(for: identity)
            let temporary = directory.appendingPathComponent(".\(target.lastPathComponent).\(getpid()).tmp")
            try Data((sha256 + "\n").utf8).write(to: temporary)
            if rename(temporary.path, target.path) != 0 {
                try? fileManager.removeItem(at: temporary)
            }
        } catch {
            // Ignored on purpose (see above).
        }
    }
}
