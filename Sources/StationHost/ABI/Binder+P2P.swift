import SandboxEngine

/// The Peer-to-peer section of docs/abi.md.
extension Binder {
    func p2p() -> [HostFunction] {
        let operations = self.operations
        return [
            function("p2p_peer_id") { call, args in
                let text = Array(try operations.p2pPeerID().utf8)
                return try Self.memory(call) { try $0.stationCopyOut(text, to: args.u32(0), length: args.u32(1), what: "p2p_peer_id buffer") }
            },
            function("p2p_dial") { call, args in
                let (address, protocolID) = try Self.memory(call) { memory in
                    (try memory.stationString(args.u32(0), min(args.u32(1), 4096), what: "multiaddr"),
                     try memory.stationString(args.u32(2), min(args.u32(3), 1024), what: "protocol id"))
                }
                let milliseconds = args.i64(4)
                return try operations.p2pDial(address: address, protocol: protocolID, timeout: milliseconds > 0 ? .milliseconds(milliseconds) : nil)
            },
            function("p2p_listen") { call, args in
                let protocolID = try Self.memory(call) { try $0.stationString(args.u32(0), min(args.u32(1), 1024), what: "protocol id") }
                return try operations.p2pListen(protocol: protocolID)
            },
            function("p2p_accept") { _, args in
                try operations.p2pAccept(listener: args.i32(0))
            },
            function("p2p_remote_peer") { call, args in
                let text = Array(try operations.p2pRemotePeer(stream: args.i32(0)).utf8)
                return try Self.memory(call) { try $0.stationCopyOut(text, to: args.u32(1), length: args.u32(2), what: "p2p_remote_peer buffer") }
            },
        ]
    }
}
