import SandboxEngine

/// The `station` import module, version 1 (`docs/abi.md`): a thin binding from WebAssembly
/// (i32/i64 arguments, buffers in linear memory) to ``StationOperations``.
///
/// Every buffer is bounds-checked before use; every failure becomes a negative error code and the
/// message `last_error` returns. Errors that are not ``StationError`` (a stop request or deadline
/// while waiting in `poll`) end the module, as they must.
public enum StationABI {
    /// The import module name.
    public static let moduleName = "station"
    /// The ABI version `abi_version` returns.
    public static let version: Int32 = 1
    /// Most handles one `poll` call may watch.
    public static let maxPollHandles: UInt32 = 65_536

    /// The host functions of ABI v1, bound to `operations`.
    public static func hostFunctions(_ operations: StationOperations) -> [HostFunction] {
        let binder = Binder(operations: operations)
        return binder.core() + binder.http() + binder.events() + binder.keyValue() + binder.identity() + binder.p2p() + binder.ipfs()
    }
}

/// Builds the host functions; one method per section of docs/abi.md.
struct Binder: Sendable {
    let operations: StationOperations

    typealias Body = @Sendable (HostCall, ABIArguments) throws -> Int32

    /// A function returning `i32`: StationErrors become their code (and the message is kept).
    func function(_ name: String, _ parameters: [WasmValueType], _ body: @escaping Body) -> HostFunction {
        let operations = self.operations
        return HostFunction(module: StationABI.moduleName, name: name, parameters: parameters, results: [.i32]) { call, values in
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

    // MARK: Core

    func core() -> [HostFunction] {
        let operations = self.operations
        return [
            function("abi_version", []) { _, _ in StationABI.version },
            function("last_error", [.i32, .i32]) { call, args in
                let message = Array(operations.lastError.utf8)
                return try Self.memory(call) { memory in
                    try memory.stationCopyOut(message, to: args.u32(0), length: args.u32(1), what: "last_error buffer")
                }
            },
            function("close", [.i32]) { _, args in
                try operations.close(handle: args.i32(0))
                return 0
            },
            function("poll", [.i32, .i32, .i32, .i64]) { call, args in
                let count = args.u32(1)
                guard count > 0 else { throw StationError(.invalidArgument, "poll needs at least one handle") }
                guard count <= StationABI.maxPollHandles else {
                    throw StationError(.invalidArgument, "poll takes at most \(StationABI.maxPollHandles) handles, not \(count)")
                }
                let byteCount = count * 4
                let watched: [Int32] = try Self.memory(call) { memory in
                    let raw = try memory.stationBytes(args.u32(0), byteCount, what: "poll handle list")
                    try memory.stationCheckWritable(args.u32(2), byteCount, what: "poll ready list")
                    return stride(from: 0, to: raw.count, by: 4).map { index in
                        Int32(bitPattern: UInt32(raw[index]) | UInt32(raw[index + 1]) << 8 | UInt32(raw[index + 2]) << 16 | UInt32(raw[index + 3]) << 24)
                    }
                }
                let timeoutMilliseconds = args.i64(3)
                let timeout: Duration? = timeoutMilliseconds < 0 ? nil : .milliseconds(timeoutMilliseconds)
                let ready = try operations.poll(watched, timeout: timeout)
                var output = [UInt8]()
                output.reserveCapacity(ready.count * 4)
                for handle in ready {
                    let bits = UInt32(bitPattern: handle)
                    output += [UInt8(truncatingIfNeeded: bits), UInt8(truncatingIfNeeded: bits >> 8), UInt8(truncatingIfNeeded: bits >> 16), UInt8(truncatingIfNeeded: bits >> 24)]
                }
                try Self.memory(call) { memory in
                    do {
                        try memory.write(output, at: args.u32(2))
                    } catch {
                        throw StationError(.fault, "poll ready list: \(error)")
                    }
                }
                return Int32(ready.count)
            },
            function("read", [.i32, .i32, .i32]) { call, args in
                try Self.memory(call) { memory in
                    // A zero-length read still reports readiness: end (0), would-block or the error.
                    let buffer = try memory.stationBuffer(args.u32(1), args.u32(2), what: "read buffer")
                    return Int32(try operations.read(handle: args.i32(0), into: buffer))
                }
            },
        ]
    }

    // MARK: HTTP

    func http() -> [HostFunction] {
        let operations = self.operations
        return [
            function("http_request", [.i32, .i32, .i32, .i32, .i32, .i32, .i32, .i32, .i64]) { call, args in
                let request: HTTPFetchRequest = try Self.memory(call) { memory in
                    let method = try memory.stationString(args.u32(0), args.u32(1), what: "method")
                    let url = try memory.stationString(args.u32(2), args.u32(3), what: "url")
                    let headerText = try memory.stationString(args.u32(4), args.u32(5), what: "headers")
                    let body = try memory.stationBytes(args.u32(6), args.u32(7), what: "request body")
                    let headers = try HeaderLines.parse(headerText)
                    let milliseconds = args.i64(8)
                    return HTTPFetchRequest(
                        method: method.isEmpty ? "GET" : method, url: url, headers: headers, body: body,
                        timeout: milliseconds > 0 ? .milliseconds(milliseconds) : nil)
                }
                return try operations.httpRequest(request)
            },
            function("http_status", [.i32]) { _, args in
                Int32(try operations.httpStatus(handle: args.i32(0)))
            },
            function("http_headers", [.i32, .i32, .i32]) { call, args in
                let headers = try operations.httpHeaders(handle: args.i32(0))
                let text = Array(headers.map { "\($0.name): \($0.value)\r\n" }.joined().utf8)
                return try Self.memory(call) { memory in
                    try memory.stationCopyOut(text, to: args.u32(1), length: args.u32(2), what: "http_headers buffer")
                }
            },
        ]
    }

    // MARK: Events

    func events() -> [HostFunction] {
        let operations = self.operations
        return [
            function("activity", [.i32, .i32, .i32]) { call, args in
                guard let level = ActivityLevel(abiValue: args.i32(0)) else {
                    throw StationError(.invalidArgument, "activity level must be 0 (info) or 1 (error), not \(args.i32(0))")
                }
                let message = try Self.memory(call) { memory in
                    try memory.stationString(args.u32(1), min(args.u32(2), 1 << 20), what: "activity message")
                }
                try operations.activity(level: level, message: message)
                return 0
            },
            function("job_completed", []) { _, _ in
                operations.jobCompleted()
                return 0
            },
        ]
    }

    // MARK: Key-value store

    func keyValue() -> [HostFunction] {
        let operations = self.operations
        return [
            function("kv_get", [.i32, .i32, .i32, .i32]) { call, args in
                let key = try Self.memory(call) { try $0.stationBytes(args.u32(0), args.u32(1), what: "key") }
                let value = try operations.kvGet(key)
                return try Self.memory(call) { memory in
                    try memory.stationCopyOut(value, to: args.u32(2), length: args.u32(3), what: "kv_get buffer")
                }
            },
            function("kv_put", [.i32, .i32, .i32, .i32]) { call, args in
                let (key, value) = try Self.memory(call) { memory in
                    (try memory.stationBytes(args.u32(0), args.u32(1), what: "key"),
                     try memory.stationBytes(args.u32(2), args.u32(3), what: "value"))
                }
                try operations.kvPut(key, value)
                return 0
            },
            function("kv_delete", [.i32, .i32]) { call, args in
                let key = try Self.memory(call) { try $0.stationBytes(args.u32(0), args.u32(1), what: "key") }
                try operations.kvDelete(key)
                return 0
            },
            function("kv_list", [.i32, .i32, .i32, .i32, .i32, .i32]) { call, args in
                let (prefix, after) = try Self.memory(call) { memory in
                    (try memory.stationBytes(args.u32(0), args.u32(1), what: "prefix"),
                     try memory.stationBytes(args.u32(2), args.u32(3), what: "after"))
                }
                let capacity = Int(args.u32(5))
                try Self.memory(call) { try $0.stationCheckWritable(args.u32(4), args.u32(5), what: "kv_list buffer") }
                let keys = try operations.kvList(prefix: prefix, after: after.isEmpty ? nil : after, limit: max(1, capacity / 5))
                var output: [UInt8] = []
                var written: Int32 = 0
                for key in keys {
                    guard output.count + 4 + key.count <= capacity else { break }
                    let length = UInt32(key.count)
                    output += [UInt8(truncatingIfNeeded: length), UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length >> 16), UInt8(truncatingIfNeeded: length >> 24)]
                    output += key
                    written += 1
                }
                if written == 0, let first = keys.first {
                    throw StationError(.bufferTooSmall, "the next key needs \(4 + first.count) bytes, the buffer has \(capacity)")
                }
                try Self.memory(call) { memory in
                    _ = try memory.stationCopyOut(output, to: args.u32(4), length: UInt32(output.count), what: "kv_list buffer")
                }
                return written
            },
        ]
    }

    // MARK: Identity

    func identity() -> [HostFunction] {
        let operations = self.operations
        func copyOut(_ name: String, _ value: @escaping @Sendable () -> String) -> HostFunction {
            function(name, [.i32, .i32]) { call, args in
                let bytes = Array(value().utf8)
                return try Self.memory(call) { memory in
                    try memory.stationCopyOut(bytes, to: args.u32(0), length: args.u32(1), what: "\(name) buffer")
                }
            }
        }
        return [
            copyOut("module_name") { operations.identity.moduleName },
            copyOut("station_id") { operations.identity.stationID },
            copyOut("wallet_address") { operations.identity.walletAddress },
        ]
    }
}
