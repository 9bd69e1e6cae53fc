import SandboxEngine

/// The Identity section of docs/abi.md.
extension Binder {
    func identity() -> [HostFunction] {
        let operations = self.operations
        func copyOut(_ name: String, _ value: @escaping @Sendable () -> String) -> HostFunction {
            function(name) { call, args in
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
