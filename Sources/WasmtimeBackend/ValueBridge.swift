import CWasmtime
import SandboxEngine

/// Converts between the port's ``WasmValue`` and Wasmtime's `wasmtime_val_t`, bit for bit
/// (floats travel as raw bit patterns so NaN payloads survive).
enum ValueBridge {
    /// The Wasmtime value for `value`.
    @inline(__always)
    static func wasmtimeValue(_ value: WasmValue) -> wasmtime_val_t {
        var out = wasmtime_val_t()
        switch value {
        case .i32(let bits):
            out.kind = wasmtime_valkind_t(CWT_WASMTIME_I32)
            out.of.i32 = Int32(bitPattern: bits)
        case .i64(let bits):
            out.kind = wasmtime_valkind_t(CWT_WASMTIME_I64)
            out.of.i64 = Int64(bitPattern: bits)
        case .f32(let bits):
            out.kind = wasmtime_valkind_t(CWT_WASMTIME_F32)
            withUnsafeMutableBytes(of: &out.of) { $0.storeBytes(of: bits, as: UInt32.self) }
        case .f64(let bits):
            out.kind = wasmtime_valkind_t(CWT_WASMTIME_F64)
            withUnsafeMutableBytes(of: &out.of) { $0.storeBytes(of: bits, as: UInt64.self) }
        }
        return out
    }

    /// The port value for a Wasmtime value, or nil for kinds Station does not exchange
    /// (references, vectors).
    @inline(__always)
    static func portValue(_ value: wasmtime_val_t) -> WasmValue? {
        var union = value.of
        switch Int32(value.kind) {
        case CWT_WASMTIME_I32: return .i32(UInt32(bitPattern: value.of.i32))
        case CWT_WASMTIME_I64: return .i64(UInt64(bitPattern: value.of.i64))
        case CWT_WASMTIME_F32: return .f32(withUnsafeBytes(of: &union) { $0.load(as: UInt32.self) })
        case CWT_WASMTIME_F64: return .f64(withUnsafeBytes(of: &union) { $0.load(as: UInt64.self) })
        default: return nil
        }
    }

    /// The port value in a raw slot that holds a value of `type` (little-endian, at offset 0).
    @inline(__always)
    static func portValue(_ slot: wasmtime_val_raw_t, as type: WasmValueType) -> WasmValue {
        var slot = slot
        return withUnsafeBytes(of: &slot) { bytes in
            switch type {
            case .i32: .i32(UInt32(littleEndian: bytes.load(as: UInt32.self)))
            case .i64: .i64(UInt64(littleEndian: bytes.load(as: UInt64.self)))
            case .f32: .f32(UInt32(littleEndian: bytes.load(as: UInt32.self)))
            case .f64: .f64(UInt64(littleEndian: bytes.load(as: UInt64.self)))
            }
        }
    }

    /// A raw slot holding `value` (little-endian at offset 0, the rest zero).
    @inline(__always)
    static func rawValue(_ value: WasmValue) -> wasmtime_val_raw_t {
        var slot = wasmtime_val_raw_t()
        withUnsafeMutableBytes(of: &slot) { bytes in
            switch value {
            case .i32(let bits), .f32(let bits): bytes.storeBytes(of: bits.littleEndian, as: UInt32.self)
            case .i64(let bits), .f64(let bits): bytes.storeBytes(of: bits.littleEndian, as: UInt64.self)
            }
        }
        return slot
    }

    /// The `wasm_valkind_t` used to build function types.
    static func valueKind(_ type: WasmValueType) -> wasm_valkind_t {
        switch type {
        case .i32: wasm_valkind_t(CWT_WASM_I32)
        case .i64: wasm_valkind_t(CWT_WASM_I64)
        case .f32: wasm_valkind_t(CWT_WASM_F32)
        case .f64: wasm_valkind_t(CWT_WASM_F64)
        }
    }

    /// The port type for a `wasm_valkind_t`, or nil for reference and vector types.
    static func valueType(_ kind: wasm_valkind_t) -> WasmValueType? {
        switch Int32(kind) {
        case CWT_WASM_I32: .i32
        case CWT_WASM_I64: .i64
        case CWT_WASM_F32: .f32
        case CWT_WASM_F64: .f64
        default: nil
        }
    }
}
