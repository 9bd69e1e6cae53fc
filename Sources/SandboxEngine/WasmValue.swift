/// The WebAssembly value types a host function or an exported function may use.
///
/// The station ABI and WASI use only `i32` and `i64`; floats are supported so that ordinary
/// exported functions (benchmarks, tests) can be called too. Reference and vector types are not
/// exchanged with the host.
public enum WasmValueType: Sendable, Hashable, CustomStringConvertible {
    case i32, i64, f32, f64

    public var description: String {
        switch self {
        case .i32: "i32"
        case .i64: "i64"
        case .f32: "f32"
        case .f64: "f64"
        }
    }
}

/// A WebAssembly value crossing the boundary between the host and a guest.
///
/// Integers are stored as their unsigned bit patterns, floats as their IEEE-754 bit patterns, the
/// way WebAssembly itself treats them.
public enum WasmValue: Sendable, Hashable, CustomStringConvertible {
    case i32(UInt32)
    case i64(UInt64)
    case f32(UInt32)
    case f64(UInt64)

    /// The type of this value.
    public var type: WasmValueType {
        switch self {
        case .i32: .i32
        case .i64: .i64
        case .f32: .f32
        case .f64: .f64
        }
    }

    /// The value as an `i32` bit pattern, or `nil` when it has another type.
    public var i32: UInt32? { if case .i32(let v) = self { v } else { nil } }
    /// The value as an `i64` bit pattern, or `nil` when it has another type.
    public var i64: UInt64? { if case .i64(let v) = self { v } else { nil } }

    /// A signed `i32` value.
    public static func int32(_ value: Int32) -> WasmValue { .i32(UInt32(bitPattern: value)) }
    /// A signed `i64` value.
    public static func int64(_ value: Int64) -> WasmValue { .i64(UInt64(bitPattern: value)) }
    /// An `f32` value.
    public static func float32(_ value: Float) -> WasmValue { .f32(value.bitPattern) }
    /// An `f64` value.
    public static func float64(_ value: Double) -> WasmValue { .f64(value.bitPattern) }

    public var description: String {
        switch self {
        case .i32(let v): "\(Int32(bitPattern: v))"
        case .i64(let v): "\(Int64(bitPattern: v))"
        case .f32(let v): "\(Float(bitPattern: v))"
        case .f64(let v): "\(Double(bitPattern: v))"
        }
    }
}

/// The parameter and result types of a function.
public struct FunctionSignature: Sendable, Hashable, CustomStringConvertible {
    public var parameters: [WasmValueType]
    public var results: [WasmValueType]

    public init(parameters: [WasmValueType], results: [WasmValueType]) {
        self.parameters = parameters
        self.results = results
    }

    public var description: String {
        "(\(parameters.map(\.description).joined(separator: ", "))) -> (\(results.map(\.description).joined(separator: ", ")))"
    }
}
