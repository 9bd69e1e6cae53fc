import SandboxEngine
import Synchronization

/// One module's WASI preview 1 environment: its descriptor table, preopened directories, storage
/// account and standard streams, and the `wasi_snapshot_preview1` host functions that use them.
///
/// Create one per instance, link ``hostFunctions()`` into the instance, and call ``close()`` when
/// the instance is done (descriptors also close when the context is released). Calls are
/// serialised by an internal lock, so ``close()`` and the read-only properties may be used from
/// any thread.
public final class WASIContext: @unchecked Sendable {
    private let lock = Mutex<Void>(())
    /// Guarded by `lock`.
    private let state: WASIState

    /// Opens the preopened directories and measures the storage they already use.
    /// Throws ``WASIError`` when a directory cannot be opened or a string is invalid.
    public init(configuration: WASIConfiguration) throws {
        state = try WASIState(configuration: configuration)
    }

    /// Closes every descriptor. Later calls from the guest fail with `EBADF`.
    public func close() {
        lock.withLock { _ in state.table.removeAll() }
    }

    /// Bytes currently counted against the storage quota.
    public var storageUsed: UInt64 { lock.withLock { _ in state.storage.used } }

    /// The storage quota in bytes.
    public var storageQuota: UInt64 { lock.withLock { _ in state.storage.quota } }

    /// Files, directories and links counted against ``WASIConfiguration/maxStorageEntries``.
    public var storageEntryCount: Int { lock.withLock { _ in state.storage.entries } }

    /// The cost model the storage account uses (its block size comes from the preopens' file
    /// systems).
    var storageCost: StorageCost { lock.withLock { _ in state.storage.cost } }

    /// Descriptors the guest opened itself and still holds (the ones ``WASIConfiguration/maxOpenFiles`` caps).
    public var openFileCount: Int { lock.withLock { _ in state.table.openCount } }

    /// Runs one call under the lock with the caller's memory. Returns the WASI errno.
    func perform(_ call: HostCall, needsMemory: Bool, _ body: (WASIState, GuestMemory) throws -> Void) throws -> UInt16 {
        do {
            try lock.withLock { _ in
                if needsMemory {
                    try call.withMemory { memory in try body(state, memory) }
                } else {
                    try body(state, GuestMemory(base: nil, size: 0))
                }
            }
            return WASIErrno.success.rawValue
        } catch let error as WASIErrno {
            return error.rawValue
        } catch is GuestMemoryError {
            return WASIErrno.fault.rawValue
        }
    }
}
