import CWasmtime

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wasmtime runs guest code on the calling thread's own stack and bounds it with `max_wasm_stack`.
/// If the thread's stack is smaller than that, a deep recursion would run into the guard page
/// instead of Wasmtime's own check, so calls first make sure enough native stack is left.
struct NativeStackGuard {
    /// Room kept for host frames and Wasmtime's own entry code on top of the guest's stack.
    static let margin = 256 << 10

    private var cachedThread: pthread_t?
    private var cachedLowAddress: UInt = 0

    /// The bytes of native stack left below the caller's frame, or nil when unknown.
    mutating func remainingBytes() -> Int? {
        let current = pthread_self()
        let sameThread = cachedThread.map { pthread_equal($0, current) != 0 } ?? false
        if !sameThread {
            guard let low = Self.lowAddress(of: current) else { return nil }
            cachedThread = current
            cachedLowAddress = low
        }
        var marker: UInt8 = 0
        let stackPointer = withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
        guard stackPointer > cachedLowAddress else { return 0 }
        return Int(stackPointer - cachedLowAddress)
    }

    private static func lowAddress(of thread: pthread_t) -> UInt? {
        let low = cwt_current_thread_stack_low()
        return low == 0 ? nil : UInt(low)
    }
}
