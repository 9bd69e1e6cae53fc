import Synchronization

/// Wakes tasks waiting for a block to be put: how a reader follows a fetch that is still filling
/// the store (see ``ArrivingBlockProvider``).
///
/// A waiter names the block's key and a condition; the condition is checked under the same lock
/// that `announce` and `wakeAll` take, so a put (or a `wakeAll`) that happens after the check
/// always finds the waiter registered: no wake-up is lost. Wake-ups may be spurious (`wakeAll`
/// wakes everyone); waiters re-check what they wait for.
final class BlockArrivals: Sendable {
    private struct Waiter {
        let key: String
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var nextID: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
        /// Waiter IDs by block key (a block can have several readers).
        var byKey: [String: Set<UInt64>] = [:]
        /// Waiters cancelled before they were registered.
        var cancelledEarly: Set<UInt64> = []
    }

    private let state = Mutex(State())

    /// Waits until the block with `key` is announced, `wakeAll` is called or the task is
    /// cancelled; returns at once when `satisfied` already holds. `satisfied` runs under this
    /// object's lock: it may take the store's lock (the store never holds its own lock when it
    /// calls in here), and must not call back into this object.
    func wait(for key: String, unless satisfied: () -> Bool) async {
        let id = state.withLock { state in
            defer { state.nextID &+= 1 }
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.cancelledEarly.remove(id) != nil || satisfied() { return true }
                    state.waiters[id] = Waiter(key: key, continuation: continuation)
                    state.byKey[key, default: []].insert(id)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let waiter = state.waiters.removeValue(forKey: id) else {
                    state.cancelledEarly.insert(id)
                    return nil
                }
                state.byKey[waiter.key]?.remove(id)
                if state.byKey[waiter.key]?.isEmpty == true { state.byKey[waiter.key] = nil }
                return waiter
            }
            waiter?.continuation.resume()
        }
        // A cancellation that came after the waiter was resumed left its ID behind.
        state.withLock { _ = $0.cancelledEarly.remove(id) }
    }

    /// Tasks waiting now (for tests: a reader is known to be blocked before the block is put).
    var waiterCount: Int { state.withLock { $0.waiters.count } }

    /// Wakes the waiters of the block with `key` (called after the block is stored).
    func announce(_ key: String) {
        let woken = state.withLock { state -> [Waiter] in
            guard let ids = state.byKey.removeValue(forKey: key) else { return [] }
            return ids.compactMap { state.waiters.removeValue(forKey: $0) }
        }
        for waiter in woken { waiter.continuation.resume() }
    }

    /// Wakes every waiter (they re-check what they wait for).
    func wakeAll() {
        let woken = state.withLock { state -> [Waiter] in
            defer {
                state.waiters = [:]
                state.byKey = [:]
            }
            return Array(state.waiters.values)
        }
        for waiter in woken { waiter.continuation.resume() }
    }
}
