import CWasmtime
import SandboxEngine

/// A module compiled by a ``WasmtimeEngine``. Immutable and shareable between threads.
public final class WasmtimeModule: CompiledModule, @unchecked Sendable {
    /// Where the compiled code came from.
    public enum Origin: Sendable, Hashable {
        /// Compiled now (no compile cache, or not in it).
        case compiled
        /// Loaded from the compile cache.
        case cacheHit
        /// The cache file was refused by Wasmtime (corrupt, truncated, stale), so the module was
        /// compiled again and the file replaced.
        case recompiledAfterCorruptCache
    }

    public var engineKind: EngineKind { .wasmtime }
    /// Where the compiled code came from.
    public let origin: Origin

    let engine: WasmtimeEngine
    let handle: OpaquePointer

    init(engine: WasmtimeEngine, handle: OpaquePointer, origin: Origin) {
        self.engine = engine
        self.handle = handle
        self.origin = origin
    }

    deinit {
        engine.api.pointee.wasmtime_module_delete(handle)
    }
}
