import SandboxEngine

/// The IPFS section of docs/abi.md.
extension Binder {
    func ipfs() -> [HostFunction] {
        let operations = self.operations
        return [
            function("ipfs_get") { call, args in
                let path = try Self.memory(call) { try $0.stationString(args.u32(0), min(args.u32(1), 4096), what: "CID path") }
                guard let format = ContentFormat(rawValue: args.i32(2)) else {
                    throw StationError(.invalidArgument, "ipfs_get format must be 0 (file bytes) or 1 (CAR), not \(args.i32(2))")
                }
                let milliseconds = args.i64(3)
                return try operations.ipfsGet(path, format: format, timeout: milliseconds > 0 ? .milliseconds(milliseconds) : nil)
            },
            function("ipfs_put") { call, args in
                let bytes = try Self.memory(call) { memory in
                    try memory.stationCheckWritable(args.u32(2), args.u32(3), what: "ipfs_put CID buffer")
                    return try memory.stationBytes(args.u32(0), args.u32(1), what: "content")
                }
                let cid = Array(try operations.ipfsPut(bytes).utf8)
                return try Self.memory(call) { try $0.stationCopyOut(cid, to: args.u32(2), length: args.u32(3), what: "ipfs_put CID buffer") }
            },
            function("ipfs_pin") { call, args in
                let cid = try Self.memory(call) { try $0.stationString(args.u32(0), min(args.u32(1), 512), what: "CID") }
                try operations.ipfsPin(cid)
                return 0
            },
            function("ipfs_unpin") { call, args in
                let cid = try Self.memory(call) { try $0.stationString(args.u32(0), min(args.u32(1), 512), what: "CID") }
                try operations.ipfsUnpin(cid)
                return 0
            },
        ]
    }
}
