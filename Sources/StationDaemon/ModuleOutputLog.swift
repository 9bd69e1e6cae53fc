import Foundation
import WASIHost

/// A module's stdout and stderr, appended to `output.log` in its folder. When the file passes
/// `maxBytes` it becomes `output.log.1` (replacing the older one), so a chatty module uses at most
/// twice `maxBytes` of disk. Write failures are ignored: the module keeps running.
public final class ModuleOutputLog: WASIOutputSink, @unchecked Sendable {
    private let url: URL
    private let maxBytes: UInt64
    private let lock = NSLock()
    private var handle: FileHandle?
    private var size: UInt64 = 0

    public init(url: URL, maxBytes: UInt64 = 1 << 20) {
        self.url = url
        self.maxBytes = maxBytes
    }

    public func write(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        lock.withLock {
            if handle == nil { open() }
            guard let handle else { return }
            try? handle.write(contentsOf: Data(bytes))
            size += UInt64(bytes.count)
            if size >= maxBytes { rotate() }
        }
    }

    /// Closes the file.
    public func close() {
        lock.withLock {
            try? handle?.close()
            handle = nil
        }
    }

    private func open() {
        if !FileManager.default.fileExists(atPath: url.path) {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        handle = try? FileHandle(forWritingTo: url)
        size = (try? handle?.seekToEnd()) ?? 0
    }

    private func rotate() {
        try? handle?.close()
        handle = nil
        let older = url.appendingPathExtension("1")
        try? FileManager.default.removeItem(at: older)
        try? FileManager.default.moveItem(at: url, to: older)
        open()
    }
}
