import Foundation
import WASIHost
import Synchronization

/// A module's stdout and stderr, appended to `output.log` in its folder. When the file passes
/// `maxBytes` it becomes `output.log.1` (replacing the older one), so a chatty module uses at most
/// twice `maxBytes` of disk. Write failures are ignored: the module keeps running.
public final class ModuleOutputLog: WASIOutputSink {
    /// The open file (opened at the first write) and the bytes it holds.
    private struct File {
        var handle: FileHandle?
        var size: UInt64 = 0
    }

    private let url: URL
    private let maxBytes: UInt64
    private let file = Mutex(File())

    public init(url: URL, maxBytes: UInt64 = 1 << 20) {
        self.url = url
        self.maxBytes = maxBytes
    }

    public func write(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        file.withLock { file in
            if file.handle == nil { open(&file) }
            guard let handle = file.handle else { return }
            try? handle.write(contentsOf: Data(bytes))
            file.size += UInt64(bytes.count)
            if file.size >= maxBytes { rotate(&file) }
        }
    }

    /// Closes the file.
    public func close() {
        file.withLock { file in
            try? file.handle?.close()
            file.handle = nil
        }
    }

    private func open(_ file: inout File) {
        if !FileManager.default.fileExists(atPath: url.path) {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        file.handle = try? FileHandle(forWritingTo: url)
        file.size = (try? file.handle?.seekToEnd()) ?? 0
    }

    private func rotate(_ file: inout File) {
        try? file.handle?.close()
        file.handle = nil
        let older = url.appendingPathExtension("1")
        try? FileManager.default.removeItem(at: older)
        try? FileManager.default.moveItem(at: url, to: older)
        open(&file)
    }
}
