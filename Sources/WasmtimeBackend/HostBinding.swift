import CWasmtime
import SandboxEngine

/// One ``HostFunction`` linked into one store: the env of the C trampoline.
final class HostBinding {
    let function: HostFunction
    let state: StoreState
    /// "module.name", for messages.
    let qualifiedName: String

    init(function: HostFunction, state: StoreState) {
        self.function = function
        self.state = state
        self.qualifiedName = "\(function.module).\(function.name)"
    }

    /// Runs the host function for a guest call, on raw values (the unchecked path: Wasmtime already
    /// checked the import's type against the declared one, so the slots hold exactly the declared
    /// types). Returns nil on success or a trap after recording the Swift error in the store state.
    @inline(__always)
    func invokeRaw(caller: OpaquePointer?, slots: UnsafeMutablePointer<wasmtime_val_raw_t>?, slotCount: Int) -> OpaquePointer? {
        let parameterTypes = function.signature.parameters
        let resultTypes = function.signature.results
        let previousCaller = state.currentCaller
        state.currentCaller = caller
        defer { state.currentCaller = previousCaller }
        do {
            let needed = max(parameterTypes.count, resultTypes.count)
            if needed > 0 && (slots == nil || slotCount < needed) {
                throw SandboxError.runtime("host function \(qualifiedName) was called with \(slotCount) value slots")
            }
            var values: [WasmValue] = []
            if let slots, !parameterTypes.isEmpty {
                values.reserveCapacity(parameterTypes.count)
                for index in 0..<parameterTypes.count {
                    values.append(ValueBridge.portValue(slots[index], as: parameterTypes[index]))
                }
            }
            let returned = try function.body(HostCall(access: state), values)
            try checkResults(returned, count: resultTypes.count)
            if let slots {
                for index in 0..<returned.count {
                    slots[index] = ValueBridge.rawValue(returned[index])
                }
            }
            return nil
        } catch {
            return state.trap(for: error, message: "host function \(qualifiedName) failed: \(error)")
        }
    }

    private func checkResults(_ returned: [WasmValue], count: Int) throws(SandboxError) {
        let expected = function.signature.results
        var matches = returned.count == expected.count && returned.count == count
        if matches {
            for index in 0..<returned.count where returned[index].type != expected[index] {
                matches = false
                break
            }
        }
        guard matches else {
            let got = returned.map(\.type.description).joined(separator: ", ")
            throw .runtime("host function \(qualifiedName) returned (\(got)) but is declared to return \(function.signature)")
        }
    }
}

/// The C trampoline for the unchecked (raw-value) path, which every host function is linked with.
let hostFunctionRawTrampoline: cwt_func_unchecked_callback_t = { env, caller, slots, slotCount in
    guard let env else { return nil }
    return Unmanaged<HostBinding>.fromOpaque(env).takeUnretainedValue().invokeRaw(
        caller: caller, slots: slots, slotCount: slotCount)
}

/// Releases a ``HostBinding`` when Wasmtime drops the function.
let releaseHostBinding: cwt_finalizer_t = { env in
    guard let env else { return }
    Unmanaged<HostBinding>.fromOpaque(env).release()
}
