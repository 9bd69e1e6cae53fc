import SandboxEngine

/// The Streams section of docs/abi.md: `write` and `close_write`, for any writable handle.
extension Binder {
    func streams() -> [HostFunction] {
        let operations = self.operations
        return [
            function("write") { call, args in
                try Self.memory(call) { memory in
                    let bytes = try memory.stationBuffer(args.u32(1), args.u32(2), what: "write buffer")
                    return Int32(try operations.write(handle: args.i32(0), UnsafeRawBufferPointer(bytes)))
                }
            },
            function("close_write") { _, args in
                try operations.closeWrite(handle: args.i32(0))
                return 0
            },
        ]
    }
}
