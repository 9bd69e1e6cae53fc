import SandboxEngine

/// The Core section of docs/abi.md: the ABI version, errors, handles, poll and read.
extension Binder {
    func core() -> [HostFunction] {
        let operations = self.operations
        return [
            function("abi_version") { _, _ in StationABI.version },
            function("last_error") { call, args in
                let message = Array(operations.lastError.utf8)
                return try Self.memory(call) { memory in
                    try memory.stationCopyOut(message, to: args.u32(0), length: args.u32(1), what: "last_error buffer")
                }
            },
            function("close") { _, args in
                try operations.close(handle: args.i32(0))
                return 0
            },
            function("poll") { call, args in
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
            function("read") { call, args in
                try Self.memory(call) { memory in
                    // A zero-length read still reports readiness: end (0), would-block or the error.
                    let buffer = try memory.stationBuffer(args.u32(1), args.u32(2), what: "read buffer")
                    return Int32(try operations.read(handle: args.i32(0), into: buffer))
                }
            },
        ]
    }
}
