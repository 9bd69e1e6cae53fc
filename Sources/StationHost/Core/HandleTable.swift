import Foundation
import Synchronization

/// A module's open handles: small positive integers naming its resources.
///
/// Handle numbers start at 1 and are not reused while the table lives (they wrap only after
/// 2^31 - 1 handles), so a stale number held by a buggy module is reported as closed rather than
/// silently naming someone else's resource. The number of open handles is capped.
public final class HandleTable: Sendable {
    private struct State {
        var resources: [Int32: any StationResource] = [:]
        var next: Int32 = 1
    }

    /// The most handles a module may hold open at once.
    public let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Number of open handles.
    public var count: Int { state.withLock { $0.resources.count } }

    /// Checks that one more handle may be opened (call before starting costly work).
    public func reserveCheck() throws(StationError) {
        let full = state.withLock { $0.resources.count >= capacity }
        if full { throw Self.exhausted(capacity) }
    }

    /// Stores `resource` under a new handle. Closes the resource and throws when the table is full.
    public func insert(_ resource: any StationResource) throws(StationError) -> Int32 {
        let handle: Int32? = state.withLock { state in
            guard state.resources.count < capacity else { return nil }
            var candidate = state.next
            while state.resources[candidate] != nil { candidate = candidate == .max ? 1 : candidate + 1 }
            state.next = candidate == .max ? 1 : candidate + 1
            state.resources[candidate] = resource
            return candidate
        }
        guard let handle else {
            resource.close()
            throw Self.exhausted(capacity)
        }
        return handle
    }

    /// The resource behind `handle`.
    public func resource(_ handle: Int32) throws(StationError) -> any StationResource {
        guard let resource = state.withLock({ $0.resources[handle] }) else { throw .badHandle(handle) }
        return resource
    }

    /// The resource behind `handle`, which must be of type `T`.
    public func resource<T>(_ handle: Int32, as type: T.Type, expected: String) throws(StationError) -> T {
        let resource = try resource(handle)
        guard let typed = resource as? T else {
            throw StationError(.badHandle, "handle \(handle) is a \(resource.kind), not \(expected)")
        }
        return typed
    }

    /// Closes `handle`. Closing a handle that is not open is an error (`bad-handle`).
    public func close(_ handle: Int32) throws(StationError) {
        guard let resource = state.withLock({ $0.resources.removeValue(forKey: handle) }) else { throw .badHandle(handle) }
        resource.close()
    }

    /// Closes every handle (the module ended).
    public func closeAll() {
        let all = state.withLock { state in
            let values = Array(state.resources.values)
            state.resources = [:]
            return values
        }
        for resource in all { resource.close() }
    }

    private static func exhausted(_ capacity: Int) -> StationError {
        StationError(.limitReached, "too many open handles (the limit is \(capacity)); close some first")
    }
}
