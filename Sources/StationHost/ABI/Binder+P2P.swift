import SandboxEngine

/// The p2p section of docs/abi.md, plus the generic `write` and `close_write`.
extension Binder {
    func p2p() -> [HostFunction] {
        let operations = self.operations
        return [
            function("write", [.i32, .i32, .i32]) { call, args in
                try Self.memory(call) { memory in
                    let bytes = try memory.stationBuffer(args.u32(1), args.u32(2), what: "write buffer")
                    return Int32(try operations.write(handle: args.i32(0), UnsafeRawBufferPointer(bytes)))
                }
            },
            function("close_write", [.i32]) { _, args in
                try operations.closeWrite(handle: args.i32(0))
                return 0
            },
            function("p2p_peer_id", [.i32, .i32]) { call, args in
                let text = Array(try operations.p2pPeerID().utf8)
                return try Self.memory(call) { try $0.stationCopyOut(text, to: args.u32(0), length: args.u32(1), what: "p2p_peer_id buffer") }
            },
            function("p2p_dial", [.i32, .i32, .i32, .i32, .i64]) { call, args in
                let (address, protocolID) = try Self.memory(call) { memory in
                    (try memory.stationString(args.u32(0), min(args.u32(1), 4096), what: "multiaddr"),
                     try memory.stationString(args.u32(2), min(args.u32(3), 1024), what: "protocol id"))
                }
                let milliseconds = args.i64(4)
                return try operations.p2pDial(address: address, protocol: protocolID, timeout: milliseconds > 0 ? .milliseconds(milliseconds) : nil)
            },
            function("p2p_listen", [.i32, .i32]) { call, args in
                let protocolID = try Self.memory(call) { try $0.stationString(args.u32(0), min(args.u32(1), 1024), what: "protocol id") }
                return try operations.p2pListen(protocol: protocolID)
            },
            function("p2p_accept", [.i32]) { _, args in
                try operations.p2pAccept(listener: args.i32(0))
            },
            function("p2p_remote_peer", [.i32, .i32, .i32]) { call, args in
                let text = Array(try operations.p2pRemotePeer(stream: args.i32(0)).utf8)
                return try Self.memory(call) { try $0.stationCopyOut(text, to: args.u32(1), length: args.u32(2), what: "p2p_remote_peer buffer") }
            },
        ]
    }
}
