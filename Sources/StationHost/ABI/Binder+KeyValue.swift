import SandboxEngine

/// The Key-value store section of docs/abi.md.
extension Binder {
    func keyValue() -> [HostFunction] {
        let operations = self.operations
        return [
            function("kv_get") { call, args in
                let key = try Self.memory(call) { try $0.stationBytes(args.u32(0), args.u32(1), what: "key") }
                let value = try operations.kvGet(key)
                return try Self.memory(call) { memory in
                    try memory.stationCopyOut(value, to: args.u32(2), length: args.u32(3), what: "kv_get buffer")
                }
            },
            function("kv_put") { call, args in
                let (key, value) = try Self.memory(call) { memory in
                    (try memory.stationBytes(args.u32(0), args.u32(1), what: "key"),
                     try memory.stationBytes(args.u32(2), args.u32(3), what: "value"))
                }
                try operations.kvPut(key, value)
                return 0
            },
            function("kv_delete") { call, args in
                let key = try Self.memory(call) { try $0.stationBytes(args.u32(0), args.u32(1), what: "key") }
                try operations.kvDelete(key)
                return 0
            },
            function("kv_list") { call, args in
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
}
