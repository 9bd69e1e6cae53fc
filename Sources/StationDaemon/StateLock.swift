import Foundation

/// An exclusive lock on a state folder (`STATE/daemon.lock`, `flock`), so that two daemons never
/// share one block store, database and module folders. The kernel drops it when the process
/// ends, even after `kill -9`.
final class StateLock: @unchecked Sendable {
    private var descriptor: Int32

    /// Takes the lock or throws, naming the process that holds it.
    init(folder: URL) throws {
        let path = folder.appendingPathComponent("daemon.lock").path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw DaemonError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(descriptor)
            throw DaemonError("another station daemon\(holder.isEmpty ? "" : " (pid \(holder))") is using the state folder \(folder.path); stop it, or give this one another [daemon] state")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    /// Releases the lock.
    func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
