/// Gives a host function access to the memory of the instance that called it.
///
/// Engine adapters implement this once per instance; host functions only see ``HostCall``.
public protocol GuestMemoryAccess: AnyObject {
    /// Calls `body` with a view of the caller's exported linear memory named `memory`.
    /// Throws ``GuestMemoryError/noMemory`` when the module exports none.
    func withGuestMemory<R>(_ body: (GuestMemory) throws -> R) throws -> R
}

/// What a host function receives about its caller.
public struct HostCall {
    private let access: any GuestMemoryAccess

    /// Adapters create one per call (it holds only a reference, so this does not allocate).
    public init(access: any GuestMemoryAccess) {
        self.access = access
    }

    /// Calls `body` with the caller's linear memory. The view is valid only inside `body`.
    public func withMemory<R>(_ body: (GuestMemory) throws -> R) throws -> R {
        try access.withGuestMemory(body)
    }
}

/// A function the host provides to guests, written once against this port and linked into
/// either engine by its adapter.
///
/// The body runs synchronously on the instance's own thread; it may block that thread (for
/// example to wait in `poll`), never an event loop. To end the guest, throw: adapters turn any
/// error into a trap and the same error value comes back out of ``WasmInstance/call(_:_:)``,
/// so a runtime can recognise its own errors (such as a WASI `proc_exit`).
public struct HostFunction: Sendable {
    public typealias Body = @Sendable (HostCall, [WasmValue]) throws -> [WasmValue]

    /// The import module name, e.g. `wasi_snapshot_preview1` or `station`.
    public let module: String
    /// The import field name.
    public let name: String
    /// Parameter and result types; arguments are checked against these by the engine.
    public let signature: FunctionSignature
    /// The implementation.
    public let body: Body

    public init(module: String, name: String, parameters: [WasmValueType], results: [WasmValueType], body: @escaping Body) {
        self.module = module
        self.name = name
        self.signature = FunctionSignature(parameters: parameters, results: results)
        self.body = body
    }
}
