import Foundation

/// Lets at most `limit` requests of a fetcher run at once; later ones wait in arrival order.
/// Waiting is cancellable: a cancelled waiter leaves the queue and throws `CancellationError`.
final class RequestGate: @unchecked Sendable {
    let limit: Int
    private let lock = NSLock()
    private var running = 0
    private var nextID: UInt64 = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Requests currently holding a slot.
    var inFlight: Int { lock.withLock { running } }

    /// Waits for a slot. Every successful `acquire` must be paired with one ``release()``.
    func acquire() async throws {
        let id: UInt64 = lock.withLock {
            nextID += 1
            return nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                self.lock.lock()
                if Task.isCancelled {
                    self.lock.unlock()
                    continuation.resume(throwing: CancellationError())
                } else if self.running < self.limit && self.waiters.isEmpty {
                    self.running += 1
                    self.lock.unlock()
                    continuation.resume()
                } else {
                    self.waiters.append((id, continuation))
                    self.lock.unlock()
                }
            }
        } onCancel: {
            let removed: CheckedContinuation<Void, any Error>? = self.lock.withLock {
                guard let index = self.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return self.waiters.remove(at: index).continuation
            }
            removed?.resume(throwing: CancellationError())
        }
    }

    /// Gives a slot back, handing it straight to the longest waiter.
    func release() {
        let next: CheckedContinuation<Void, any Error>? = lock.withLock {
            if waiters.isEmpty {
                running = max(0, running - 1)
                return nil
            }
            return waiters.removeFirst().continuation
        }
        next?.resume()
    }
}
