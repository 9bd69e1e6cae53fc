import CWasmtime
import SandboxEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-store state reached from Wasmtime's callbacks through their env pointers: the governor,
/// the first Swift error that ended guest code, and the caller of the host call in progress.
///
/// Confined to the instance's thread, like the store itself.
final class StoreState: GuestMemoryAccess {
    let api: UnsafePointer<cwt_api>
    let governor: ExecutionGovernor

    /// The Swift error that made guest code stop (a host function's error or the governor's stop
    /// reason); `call` rethrows it unchanged.
    private(set) var pendingError: (any Error)?

    /// The caller of the host function running now (nil outside host calls).
    var currentCaller: OpaquePointer?

    init(api: UnsafePointer<cwt_api>, governor: ExecutionGovernor) {
        self.api = api
        self.governor = governor
    }

    /// Records `error` as the reason guest code stops (the first one wins).
    func record(_ error: any Error) {
        if pendingError == nil { pendingError = error }
    }

    /// Returns and clears the recorded error.
    func takePendingError() -> (any Error)? {
        defer { pendingError = nil }
        return pendingError
    }

    /// Records `error` and returns a trap that unwinds the guest.
    func trap(for error: any Error, message: String) -> OpaquePointer? {
        record(error)
        return message.withCString { api.pointee.wasmtime_trap_new($0, strlen($0)) }
    }

    /// Called by Wasmtime when the epoch deadline passes (about every 10 ms of guest execution).
    func epochDeadlineReached(delta: UnsafeMutablePointer<UInt64>?, kind: UnsafeMutablePointer<UInt8>?) -> OpaquePointer? {
        do {
            try governor.checkpoint()
        } catch {
            record(error)
            return error.description.withCString { api.pointee.wasmtime_error_new($0) }
        }
        delta?.pointee = 1
        kind?.pointee = wasmtime_update_deadline_kind_t(CWT_UPDATE_DEADLINE_CONTINUE)
        return nil
    }

    // MARK: GuestMemoryAccess

    func withGuestMemory<R>(_ body: (GuestMemory) throws -> R) throws -> R {
        guard let caller = currentCaller else { throw GuestMemoryError.noMemory }
        var item = wasmtime_extern_t()
        let found = Self.memoryExportName.withUTF8Buffer { name in
            name.withMemoryRebound(to: CChar.self) { chars in
                api.pointee.wasmtime_caller_export_get(caller, chars.baseAddress!, chars.count, &item)
            }
        }
        guard found, Int32(item.kind) == CWT_EXTERN_MEMORY else { throw GuestMemoryError.noMemory }
        let context = api.pointee.wasmtime_caller_context(caller)
        let base = api.pointee.wasmtime_memory_data(context, &item.of.memory)
        let size = api.pointee.wasmtime_memory_data_size(context, &item.of.memory)
        return try body(GuestMemory(base: UnsafeMutableRawPointer(base), size: size))
    }

    /// The export host functions see as the guest's memory.
    static let memoryExportName: StaticString = "memory"
}

/// Wasmtime's epoch-deadline callback: forwards to the store's ``StoreState``.
let epochDeadlineCallback: cwt_epoch_callback_t = { _, env, delta, kind in
    guard let env else { return nil }
    return Unmanaged<StoreState>.fromOpaque(env).takeUnretainedValue().epochDeadlineReached(delta: delta, kind: kind)
}

/// Releases the ``StoreState`` retained for a store's callbacks.
let releaseStoreState: cwt_finalizer_t = { env in
    guard let env else { return }
    Unmanaged<StoreState>.fromOpaque(env).release()
}
