import Foundation

/// Catches SIGINT and SIGTERM from the moment it is created, so `wait()` returns even for a
/// signal that arrived before it was called (a second signal ends the process at once).
final class SignalWaiter: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Void, Never>?
    private var signalled = false
    private var handler: InterruptHandler?

    /// Starts catching SIGINT and SIGTERM.
    init() {
        let handler = InterruptHandler { [weak self] in self?.fire() }
        lock.withLock { self.handler = handler }
    }

    /// Returns after the first SIGINT or SIGTERM since `init`, then restores default handling.
    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let alreadySignalled = lock.withLock { () -> Bool in
                if signalled { return true }
                self.continuation = continuation
                return false
            }
            if alreadySignalled { continuation.resume() }
        }
        lock.withLock { handler }?.cancel()
    }

    private func fire() {
        let waiting = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            signalled = true
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume()
    }
}
