import SandboxEngine

/// The `station` import module, version 1 (`docs/abi.md`): a thin binding from WebAssembly
/// (i32/i64 arguments, buffers in linear memory) to ``StationOperations``.
///
/// Every buffer is bounds-checked before use; every failure becomes a negative error code and the
/// message `last_error` returns. Errors that are not ``StationError`` (a stop request or deadline
/// while waiting in `poll`) end the module, as they must.
public enum StationABI {
    /// The import module name.
    public static let moduleName = StationImports.moduleName
    /// The ABI version `abi_version` returns.
    public static let version: Int32 = 1
    /// Most handles one `poll` call may watch.
    public static let maxPollHandles: UInt32 = 65_536

    /// The host functions of ABI v1, bound to `operations`, in the order of ``StationImports/all``.
    public static func hostFunctions(_ operations: StationOperations) -> [HostFunction] {
        let binder = Binder(operations: operations)
        return binder.core() + binder.http() + binder.streams() + binder.p2p() + binder.ipfs() + binder.events() + binder.keyValue() + binder.identity()
    }
}

/// Builds the host functions; one method per section of docs/abi.md, each in its own file
/// (`Binder+Core.swift`, …), mirroring `StationOperations+*.swift`.
struct Binder: Sendable {
    let operations: StationOperations

    typealias Body = @Sendable (HostCall, ABIArguments) throws -> Int32

    /// The host function `name`, typed as ``StationImports`` says: StationErrors become their
    /// code (and the message is kept).
    func function(_ name: String, _ body: @escaping Body) -> HostFunction {
        guard let description = StationImports.named(name) else {
            preconditionFailure("station.\(name) is bound but missing from StationImports.all")
        }
        let operations = self.operations
        let signature = description.signature
        return HostFunction(module: StationABI.moduleName, name: name, parameters: signature.parameters, results: signature.results) { call, values in
            do {
                return [.int32(try body(call, ABIArguments(values: values)))]
            } catch let error as StationError {
                operations.recordError(error)
                return [.int32(error.code.rawValue)]
            } catch let error as GuestMemoryError {
                let stationError = StationError(.fault, "\(error)")
                operations.recordError(stationError)
                return [.int32(stationError.code.rawValue)]
            }
        }
    }

    /// Runs `body` with the caller's memory, reporting a module without memory as `fault`.
    static func memory<R>(_ call: HostCall, _ body: (GuestMemory) throws -> R) throws -> R {
        do {
            return try call.withMemory(body)
        } catch GuestMemoryError.noMemory {
            throw StationError(.fault, "the module exports no memory named \"memory\"")
        }
    }
}
