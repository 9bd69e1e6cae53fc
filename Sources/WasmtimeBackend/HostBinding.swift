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

    /// Runs the host function for a guest call. Returns nil on success or a trap after recording
    /// the Swift error in the store state.
    @inline(__always)
    func invoke(
        caller: OpaquePointer?, arguments: UnsafePointer<wasmtime_val_t>?, argumentCount: Int,
        results: UnsafeMutablePointer<wasmtime_val_t>?, resultCount: Int
    ) -> OpaquePointer? {
        let previousCaller = state.currentCaller
        state.currentCaller = caller
        defer { state.currentCaller = previousCaller }
        do {
            var values: [WasmValue] = []
            if argumentCount > 0, let arguments {
                values.reserveCapacity(argumentCount)
                for index in 0..<argumentCount {
                    guard let value = ValueBridge.portValue(arguments[index]) else {
                        throw SandboxError.runtime("host function \(qualifiedName) received a value of an unsupported type")
                    }
                    values.append(value)
                }
            }
            let returned = try function.body(HostCall(access: state), values)
            try checkResults(returned, count: resultCount)
            if let results {
                for index in 0..<resultCount {
                    results[index] = ValueBridge.wasmtimeValue(returned[index])
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

/// The C trampoline every host function is linked with.
let hostFunctionTrampoline: cwt_func_callback_t = { env, caller, arguments, argumentCount, results, resultCount in
    guard let env else { return nil }
    return Unmanaged<HostBinding>.fromOpaque(env).takeUnretainedValue().invoke(
        caller: caller, arguments: arguments, argumentCount: argumentCount, results: results, resultCount: resultCount)
}

/// Releases a ``HostBinding`` when Wasmtime drops the function.
let releaseHostBinding: cwt_finalizer_t = { env in
    guard let env else { return }
    Unmanaged<HostBinding>.fromOpaque(env).release()
}
