import CWasmtime
import Foundation
import SandboxEngine

/// Compiled modules on disk, so that a module compiles once per engine configuration.
///
/// Key: SHA-256 over the wasm's SHA-256, the engine settings, the library's SHA-256 and a format
/// version. Files are written to a temporary name and renamed into place, so a reader never sees
/// half a file. Wasmtime checks a file's header and engine compatibility when loading it; a file it
/// refuses (truncated, garbage, another version) is deleted and the module recompiled.
///
/// The directory must be private to the user (it is created with mode 0700): loading a compiled
/// module runs its machine code, so a writable-by-others cache would be a way in.
struct CompileCache {
    /// Bumped whenever what goes into a key changes.
    static let formatVersion = 1

    let directory: URL
    /// Everything but the wasm that decides the compiled code.
    let configurationKey: String

    init(directory: URL, settings: EngineSettings, librarySHA256: String, stackBytes: Int) {
        self.directory = directory
        self.configurationKey = [
            "station-wasmtime-cache-v\(Self.formatVersion)",
            "wasmtime=\(WasmtimeLibrary.version)",
            "library=\(librarySHA256)",
            "fuel=\(settings.fuelMetering)",
            "stack=\(stackBytes)",
            "epochs=\(settings.interruptible ? "on" : "off")",
            "strategy=cranelift", "opt=speed", "multi-memory=off",
        ].joined(separator: "|")
    }

    /// The cache file for a module.
    func fileURL(for wasm: [UInt8]) -> URL {
        let key = Hashing.sha256Hex(Hashing.sha256Hex(wasm) + "|" + configurationKey)
        return directory.appendingPathComponent("\(key).cwasm")
    }

    /// Writes serialized module bytes atomically. Best effort: a failure only costs a recompile.
    @discardableResult
    func store(_ bytes: UnsafeRawBufferPointer, at target: URL) -> Bool {
        let fileManager = FileManager.default
        do {
            try fileManager.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let temporary = directory.appendingPathComponent(
                ".\(target.lastPathComponent).\(getpid()).\(UInt32.random(in: 0 ... .max)).tmp")
            try Data(bytes).write(to: temporary)
            guard rename(temporary.path, target.path) == 0 else {
                try? fileManager.removeItem(at: temporary)
                return false
            }
            return true
        } catch {
            return false
        }
    }

    /// Deletes a cache file Wasmtime refused.
    func discard(_ file: URL) {
        try? FileManager.default.removeItem(at: file)
    }
}
