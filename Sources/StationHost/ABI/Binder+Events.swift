import SandboxEngine

/// The Events section of docs/abi.md: activity and jobs.
extension Binder {
    func events() -> [HostFunction] {
        let operations = self.operations
        return [
            function("activity") { call, args in
                guard let level = ActivityLevel(abiValue: args.i32(0)) else {
                    throw StationError(.invalidArgument, "activity level must be 0 (info) or 1 (error), not \(args.i32(0))")
                }
                let message = try Self.memory(call) { memory in
                    try memory.stationString(args.u32(1), min(args.u32(2), 1 << 20), what: "activity message")
                }
                try operations.activity(level: level, message: message)
                return 0
            },
            function("job_completed") { _, _ in
                operations.jobCompleted()
                return 0
            },
        ]
    }
}
