import CWasmtime
import SandboxEngine

/// Reads (and frees) Wasmtime's error and trap objects.
struct WasmtimeMessages {
    let api: UnsafePointer<cwt_api>

    /// The text of a `wasmtime_error_t`, which is deleted.
    func takeErrorMessage(_ error: OpaquePointer) -> String {
        var name = wasm_name_t()
        api.pointee.wasmtime_error_message(error, &name)
        let text = Self.string(name)
        api.pointee.wasm_byte_vec_delete(&name)
        api.pointee.wasmtime_error_delete(error)
        return text
    }

    /// What a trap says about itself; the trap is deleted.
    func takeTrap(_ trap: OpaquePointer) -> TrapReport {
        var code = wasmtime_trap_code_t()
        let hasCode = api.pointee.wasmtime_trap_code(trap, &code)
        var message = wasm_message_t()
        api.pointee.wasm_trap_message(trap, &message)
        let text = Self.string(message)
        api.pointee.wasm_byte_vec_delete(&message)
        let function = innermostFunctionName(trap)
        api.pointee.wasm_trap_delete(trap)
        return TrapReport(code: hasCode ? code : nil, message: text, function: function)
    }

    /// The name of the innermost frame's function: from the name section, else `<wasm function N>`.
    private func innermostFunctionName(_ trap: OpaquePointer) -> String? {
        var frames = wasm_frame_vec_t()
        api.pointee.wasm_trap_trace(trap, &frames)
        defer { api.pointee.wasm_frame_vec_delete(&frames) }
        guard frames.size > 0, let data = frames.data, let frame = data[0] else { return nil }
        if let name = api.pointee.wasmtime_frame_func_name(frame) {
            let text = Self.string(name.pointee)
            if !text.isEmpty { return text }
        }
        return "<wasm function \(api.pointee.wasm_frame_func_index(frame))>"
    }

    /// Decodes a byte vector as UTF-8, dropping the trailing NUL some messages carry.
    static func string(_ vector: wasm_byte_vec_t) -> String {
        guard vector.size > 0, let data = vector.data else { return "" }
        var bytes = UnsafeRawBufferPointer(start: data, count: vector.size)
        while let last = bytes.last, last == 0 { bytes = UnsafeRawBufferPointer(rebasing: bytes.dropLast()) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A trap as Wasmtime describes it.
struct TrapReport {
    /// `wasmtime_trap_code_t`, when the trap is one of Wasmtime's own.
    var code: wasmtime_trap_code_t?
    var message: String
    var function: String?
}
