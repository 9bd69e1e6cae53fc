import Foundation
import SandboxEngine
import Synchronization

/// The station operations of one module, in Swift types only: strings, byte arrays and handles.
///
/// This layer knows nothing about linear memory or how it is called. ``StationABI`` binds it to the
/// `station` WebAssembly imports; a later channel over a WASI file descriptor can call the same
/// methods. Every method runs on the module's thread and never blocks, except ``poll(_:timeout:)``
/// (which waits) and the key-value calls (which touch only a local database).
public final class StationOperations: Sendable {
    public let configuration: StationModuleConfiguration
    /// The module's open handles.
    public let handles: HandleTable
    /// Woken by every resource of this module when its state changes.
    public let hub = ReadinessHub()
    private let events: any StationEventSink
    private let jobs: JobLedger
    private let activityLimiter: RateLimiter
    private let droppedActivity = Atomic<Int>(0)
    private let governorBox = Mutex<ExecutionGovernor?>(nil)
    private let lastErrorBox = Mutex<String>("")
    private let fetcherBox = Mutex<HTTPFetcher?>(nil)
    private let storeBox = Mutex<KeyValueStore?>(nil)
    private let closed = Atomic<Bool>(false)
    /// The process's shared libp2p node, when p2p is available.
    public let p2pNode: SharedP2PNode?
    /// The process's shared IPFS content, when IPFS is available.
    public let sharedContent: SharedContent?

    /// - Parameters:
    ///   - events: where activity goes.
    ///   - jobs: the process-wide job ledger (it emits `jobs-completed`).
    ///   - p2pNode: the shared libp2p node (nil: p2p calls fail with `unsupported`).
    ///   - content: the shared IPFS content (nil: IPFS calls fail with `denied`).
    public init(
        configuration: StationModuleConfiguration, events: any StationEventSink, jobs: JobLedger,
        p2pNode: SharedP2PNode? = nil, content: SharedContent? = nil
    ) {
        self.configuration = configuration
        self.p2pNode = p2pNode
        self.sharedContent = content
        self.handles = HandleTable(capacity: configuration.maxHandles)
        self.events = events
        self.jobs = jobs
        self.activityLimiter = RateLimiter(burst: configuration.activityBurst, perSecond: configuration.activityPerSecond)
    }

    /// The module's name.
    public var moduleName: String { configuration.identity.moduleName }

    /// Attaches the governor of the instance that calls these operations, so that `poll` ends
    /// when the module must stop.
    public func attach(governor: ExecutionGovernor) {
        governorBox.withLock { $0 = governor }
        governor.onStop { [hub] in hub.signal() }
    }

    var governor: ExecutionGovernor? { governorBox.withLock { $0 } }

    /// Closes every handle and releases the HTTP client and store. Idempotent.
    public func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        handles.closeAll()
        fetcherBox.withLock { fetcher in
            fetcher?.shutdown()
            fetcher = nil
        }
        storeBox.withLock { store in
            store?.close()
            store = nil
        }
        jobs.flush()
    }

    // MARK: Errors

    /// Remembers the message of a failed call for `last_error`.
    public func recordError(_ error: StationError) {
        lastErrorBox.withLock { $0 = error.message }
    }

    /// The message of the last failed call ("" if none).
    public var lastError: String { lastErrorBox.withLock { $0 } }

    // MARK: Handles and poll

    /// Closes a handle and cancels its work.
    public func close(handle: Int32) throws(StationError) {
        try handles.close(handle)
    }

    /// Waits until at least one of `watched` is ready or `timeout` passes (nil: no timeout of its
    /// own). Returns the ready handles in the order given. A stop request or the module's deadline
    /// ends the wait by throwing the governor's error.
    public func poll(_ watched: [Int32], timeout: Duration?) throws -> [Int32] {
        let resources = try watched.map { handle throws(StationError) in try handles.resource(handle) }
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while true {
            let seen = hub.generation
            var ready: [Int32] = []
            for (index, resource) in resources.enumerated() where resource.isReady {
                ready.append(watched[index])
            }
            if !ready.isEmpty { return ready }
            if let deadline, ContinuousClock.now >= deadline { return [] }
            if let stop = governor?.pendingStop() { throw stop }
            try hub.wait(after: seen, until: deadline, governor: governor)
        }
    }

    /// Reads from a readable handle (see ``ReadableResource/read(into:)``).
    public func read(handle: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(StationError) -> Int {
        let resource = try handles.resource(handle, as: (any ReadableResource).self, expected: "something readable")
        return try resource.read(into: buffer)
    }

    // MARK: Activity and jobs

    /// Reports activity. Over the rate limit the message is dropped and `limit-reached` thrown;
    /// the next message that gets through says how many were dropped.
    public func activity(level: ActivityLevel, message: String) throws(StationError) {
        guard activityLimiter.tryAcquire() else {
            droppedActivity.add(1, ordering: .relaxed)
            throw StationError(.limitReached, "activity rate limit (\(configuration.activityBurst) at once, then \(Int(configuration.activityPerSecond)) per second) reached; message dropped")
        }
        let dropped = droppedActivity.exchange(0, ordering: .relaxed)
        let trimmed = message.count > 4096 ? String(message.prefix(4096)) + "…" : message
        let text = dropped > 0 ? "\(trimmed) (\(dropped) earlier message(s) dropped by the rate limit)" : trimmed
        events.emit(.activity(module: moduleName, level: level, message: text))
    }

    /// Counts one completed job.
    public func jobCompleted() {
        jobs.record(module: moduleName)
    }

    // MARK: Identity

    public var identity: StationIdentity { configuration.identity }

    // MARK: Shared resources, created on first use

    func fetcher() throws(StationError) -> HTTPFetcher {
        let result: Result<HTTPFetcher, StationError> = fetcherBox.withLock { box in
            if let existing = box { return .success(existing) }
            if closed.load(ordering: .acquiring) { return .failure(StationError(.cancelled, "the module is stopping")) }
            do {
                let created = try HTTPFetcher(policy: configuration.networkPolicy, limits: configuration.networkLimits)
                box = created
                return .success(created)
            } catch let error as StationError {
                return .failure(error)
            } catch {
                return .failure(StationError(.io, "cannot set up the HTTP client: \(error)"))
            }
        }
        return try result.get()
    }

    func store() throws(StationError) -> KeyValueStore {
        guard let path = configuration.keyValuePath else {
            throw StationError(.denied, "this module has no key-value store (station run: give one with --kv PATH)")
        }
        let result: Result<KeyValueStore, StationError> = storeBox.withLock { box in
            if let existing = box { return .success(existing) }
            if closed.load(ordering: .acquiring) { return .failure(StationError(.cancelled, "the module is stopping")) }
            do throws(StationError) {
                let created = try KeyValueStore(path: path, limits: configuration.keyValueLimits)
                box = created
                return .success(created)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
