import WasmKit
import SandboxEngine

extension WasmValueType {
    var wasmKit: WasmKit.ValueType {
        switch self {
        case .i32: .i32
        case .i64: .i64
        case .f32: .f32
        case .f64: .f64
        }
    }
}

extension WasmKit.ValueType {
    var sandbox: WasmValueType? {
        switch self {
        case .i32: .i32
        case .i64: .i64
        case .f32: .f32
        case .f64: .f64
        default: nil
        }
    }
}

extension WasmValue {
    var wasmKit: WasmKit.Value {
        switch self {
        case .i32(let v): .i32(v)
        case .i64(let v): .i64(v)
        case .f32(let v): .f32(v)
        case .f64(let v): .f64(v)
        }
    }

    init(_ value: WasmKit.Value) {
        switch value {
        case .i32(let v): self = .i32(v)
        case .i64(let v): self = .i64(v)
        case .f32(let v): self = .f32(v)
        case .f64(let v): self = .f64(v)
        default: self = .i32(0)  // references and vectors never cross the host boundary
        }
    }
}
