import SandboxEngine

extension WASIContext {
    /// Every `wasi_snapshot_preview1` function, with its exact preview 1 signature.
    ///
    /// `proc_raise` returns `ENOSYS` (52). No socket is ever open, so the `sock_*` calls return
    /// `EBADF` for an unknown descriptor and `ENOTSOCK` for any other, as Wasmtime does.
    /// `proc_exit` throws ``WASIExit``; a governor stop during a blocking wait throws the
    /// governor's ``SandboxError``.
    public func hostFunctions() -> [HostFunction] {
        processFunctions() + descriptorFunctions() + pathFunctions() + otherFunctions()
    }

    /// Names of every function ``hostFunctions()`` returns.
    public static let functionNames: [String] = [
        "args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "clock_res_get", "clock_time_get",
        "random_get", "proc_exit", "proc_raise", "sched_yield",
        "fd_advise", "fd_allocate", "fd_close", "fd_datasync", "fd_fdstat_get", "fd_fdstat_set_flags",
        "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size", "fd_filestat_set_times",
        "fd_pread", "fd_prestat_get", "fd_prestat_dir_name", "fd_pwrite", "fd_read", "fd_readdir",
        "fd_renumber", "fd_seek", "fd_sync", "fd_tell", "fd_write",
        "path_create_directory", "path_filestat_get", "path_filestat_set_times", "path_link", "path_open",
        "path_readlink", "path_remove_directory", "path_rename", "path_symlink", "path_unlink_file",
        "poll_oneoff", "sock_accept", "sock_recv", "sock_send", "sock_shutdown",
    ]

    /// A function returning an errno; `body` gets the state, the caller's memory and the arguments.
    private func function(
        _ name: String, _ parameters: [WasmValueType], needsMemory: Bool = true,
        _ body: @escaping @Sendable (WASIState, GuestMemory, WASIArguments) throws -> Void
    ) -> HostFunction {
        HostFunction(module: WASIABI.moduleName, name: name, parameters: parameters, results: [.i32]) { [self] call, values in
            let arguments = WASIArguments(values: values)
            let errno = try perform(call, needsMemory: needsMemory) { state, memory in
                try body(state, memory, arguments)
            }
            return [.i32(UInt32(errno))]
        }
    }

    /// A function that only ever returns `errno`.
    private func unsupported(_ name: String, _ parameters: [WasmValueType]) -> HostFunction {
        HostFunction(module: WASIABI.moduleName, name: name, parameters: parameters, results: [.i32]) { _, _ in
            [.i32(UInt32(WASIErrno.nosys.rawValue))]
        }
    }

    private func processFunctions() -> [HostFunction] {
        [
            function("args_get", [.i32, .i32]) { s, m, a in try s.argsGet(m, pointers: a.u32(0), buffer: a.u32(1)) },
            function("args_sizes_get", [.i32, .i32]) { s, m, a in
                try s.argsSizesGet(m, countPointer: a.u32(0), sizePointer: a.u32(1))
            },
            function("environ_get", [.i32, .i32]) { s, m, a in try s.environGet(m, pointers: a.u32(0), buffer: a.u32(1)) },
            function("environ_sizes_get", [.i32, .i32]) { s, m, a in
                try s.environSizesGet(m, countPointer: a.u32(0), sizePointer: a.u32(1))
            },
            function("clock_res_get", [.i32, .i32]) { s, m, a in try s.clockResGet(m, clock: a.u32(0), resultPointer: a.u32(1)) },
            function("clock_time_get", [.i32, .i64, .i32]) { s, m, a in
                try s.clockTimeGet(m, clock: a.u32(0), resultPointer: a.u32(2))
            },
            function("random_get", [.i32, .i32]) { s, m, a in try s.randomGet(m, buffer: a.u32(0), length: a.u32(1)) },
            HostFunction(module: WASIABI.moduleName, name: "proc_exit", parameters: [.i32], results: []) { _, values in
                throw WASIExit(code: values.first?.i32 ?? 0)
            },
            unsupported("proc_raise", [.i32]),
            function("sched_yield", [], needsMemory: false) { s, _, _ in s.schedYield() },
        ]
    }

    private func descriptorFunctions() -> [HostFunction] {
        [
            function("fd_advise", [.i32, .i64, .i64, .i32], needsMemory: false) { s, _, a in
                try s.fdAdvise(a.u32(0), offset: a.u64(1), length: a.u64(2), advice: a.u32(3))
            },
            function("fd_allocate", [.i32, .i64, .i64], needsMemory: false) { s, _, a in
                try s.fdAllocate(a.u32(0), offset: a.u64(1), length: a.u64(2))
            },
            function("fd_close", [.i32], needsMemory: false) { s, _, a in try s.fdClose(a.u32(0)) },
            function("fd_datasync", [.i32], needsMemory: false) { s, _, a in try s.fdSync(a.u32(0), dataOnly: true) },
            function("fd_fdstat_get", [.i32, .i32]) { s, m, a in try s.fdFdstatGet(m, a.u32(0), resultPointer: a.u32(1)) },
            function("fd_fdstat_set_flags", [.i32, .i32], needsMemory: false) { s, _, a in
                try s.fdFdstatSetFlags(a.u32(0), flags: a.u32(1))
            },
            function("fd_fdstat_set_rights", [.i32, .i64, .i64], needsMemory: false) { s, _, a in
                try s.fdFdstatSetRights(a.u32(0), base: a.u64(1), inheriting: a.u64(2))
            },
            function("fd_filestat_get", [.i32, .i32]) { s, m, a in try s.fdFilestatGet(m, a.u32(0), resultPointer: a.u32(1)) },
            function("fd_filestat_set_size", [.i32, .i64], needsMemory: false) { s, _, a in
                try s.fdFilestatSetSize(a.u32(0), size: a.u64(1))
            },
            function("fd_filestat_set_times", [.i32, .i64, .i64, .i32], needsMemory: false) { s, _, a in
                try s.fdFilestatSetTimes(a.u32(0), access: a.u64(1), modification: a.u64(2), flags: a.u32(3))
            },
            function("fd_pread", [.i32, .i32, .i32, .i64, .i32]) { s, m, a in
                try s.fdRead(m, a.u32(0), vectors: a.u32(1), count: a.u32(2), resultPointer: a.u32(4), offset: a.u64(3))
            },
            function("fd_prestat_get", [.i32, .i32]) { s, m, a in try s.fdPrestatGet(m, a.u32(0), resultPointer: a.u32(1)) },
            function("fd_prestat_dir_name", [.i32, .i32, .i32]) { s, m, a in
                try s.fdPrestatDirName(m, a.u32(0), buffer: a.u32(1), length: a.u32(2))
            },
            function("fd_pwrite", [.i32, .i32, .i32, .i64, .i32]) { s, m, a in
                try s.fdWrite(m, a.u32(0), vectors: a.u32(1), count: a.u32(2), resultPointer: a.u32(4), offset: a.u64(3))
            },
            function("fd_read", [.i32, .i32, .i32, .i32]) { s, m, a in
                try s.fdRead(m, a.u32(0), vectors: a.u32(1), count: a.u32(2), resultPointer: a.u32(3), offset: nil)
            },
            function("fd_readdir", [.i32, .i32, .i32, .i64, .i32]) { s, m, a in
                try s.fdReaddir(m, a.u32(0), buffer: a.u32(1), length: a.u32(2), cookie: a.u64(3), usedPointer: a.u32(4))
            },
            function("fd_renumber", [.i32, .i32], needsMemory: false) { s, _, a in try s.fdRenumber(a.u32(0), to: a.u32(1)) },
            function("fd_seek", [.i32, .i64, .i32, .i32]) { s, m, a in
                try s.fdSeek(m, a.u32(0), offset: a.u64(1), whence: a.u32(2), resultPointer: a.u32(3))
            },
            function("fd_sync", [.i32], needsMemory: false) { s, _, a in try s.fdSync(a.u32(0), dataOnly: false) },
            function("fd_tell", [.i32, .i32]) { s, m, a in try s.fdTell(m, a.u32(0), resultPointer: a.u32(1)) },
            function("fd_write", [.i32, .i32, .i32, .i32]) { s, m, a in
                try s.fdWrite(m, a.u32(0), vectors: a.u32(1), count: a.u32(2), resultPointer: a.u32(3), offset: nil)
            },
        ]
    }

    private func pathFunctions() -> [HostFunction] {
        [
            function("path_create_directory", [.i32, .i32, .i32]) { s, m, a in
                try s.pathCreateDirectory(m, a.u32(0), path: a.u32(1), pathLength: a.u32(2))
            },
            function("path_filestat_get", [.i32, .i32, .i32, .i32, .i32]) { s, m, a in
                try s.pathFilestatGet(m, a.u32(0), lookupFlags: a.u32(1), path: a.u32(2), pathLength: a.u32(3), resultPointer: a.u32(4))
            },
            function("path_filestat_set_times", [.i32, .i32, .i32, .i32, .i64, .i64, .i32]) { s, m, a in
                try s.pathFilestatSetTimes(
                    m, a.u32(0), lookupFlags: a.u32(1), path: a.u32(2), pathLength: a.u32(3),
                    access: a.u64(4), modification: a.u64(5), flags: a.u32(6))
            },
            function("path_link", [.i32, .i32, .i32, .i32, .i32, .i32, .i32]) { s, m, a in
                try s.pathLink(
                    m, a.u32(0), lookupFlags: a.u32(1), oldPath: a.u32(2), oldLength: a.u32(3),
                    newFD: a.u32(4), newPath: a.u32(5), newLength: a.u32(6))
            },
            function("path_open", [.i32, .i32, .i32, .i32, .i32, .i64, .i64, .i32, .i32]) { s, m, a in
                try s.pathOpen(
                    m, a.u32(0), lookupFlags: a.u32(1), path: a.u32(2), pathLength: a.u32(3), openFlags: a.u32(4),
                    rightsBase: a.u64(5), rightsInheriting: a.u64(6), fdFlags: a.u32(7), resultPointer: a.u32(8))
            },
            function("path_readlink", [.i32, .i32, .i32, .i32, .i32, .i32]) { s, m, a in
                try s.pathReadlink(
                    m, a.u32(0), path: a.u32(1), pathLength: a.u32(2), buffer: a.u32(3), bufferLength: a.u32(4),
                    usedPointer: a.u32(5))
            },
            function("path_remove_directory", [.i32, .i32, .i32]) { s, m, a in
                try s.pathRemoveDirectory(m, a.u32(0), path: a.u32(1), pathLength: a.u32(2))
            },
            function("path_rename", [.i32, .i32, .i32, .i32, .i32, .i32]) { s, m, a in
                try s.pathRename(
                    m, a.u32(0), oldPath: a.u32(1), oldLength: a.u32(2), newFD: a.u32(3), newPath: a.u32(4),
                    newLength: a.u32(5))
            },
            function("path_symlink", [.i32, .i32, .i32, .i32, .i32]) { s, m, a in
                try s.pathSymlink(m, oldPath: a.u32(0), oldLength: a.u32(1), a.u32(2), newPath: a.u32(3), newLength: a.u32(4))
            },
            function("path_unlink_file", [.i32, .i32, .i32]) { s, m, a in
                try s.pathUnlinkFile(m, a.u32(0), path: a.u32(1), pathLength: a.u32(2))
            },
        ]
    }

    private func otherFunctions() -> [HostFunction] {
        [
            function("poll_oneoff", [.i32, .i32, .i32, .i32]) { s, m, a in
                try s.pollOneoff(m, subscriptions: a.u32(0), events: a.u32(1), count: a.u32(2), resultPointer: a.u32(3))
            },
            function("sock_accept", [.i32, .i32, .i32], needsMemory: false) { s, _, a in try s.socketCall(a.u32(0)) },
            function("sock_recv", [.i32, .i32, .i32, .i32, .i32, .i32], needsMemory: false) { s, _, a in
                try s.socketCall(a.u32(0))
            },
            function("sock_send", [.i32, .i32, .i32, .i32, .i32], needsMemory: false) { s, _, a in try s.socketCall(a.u32(0)) },
            function("sock_shutdown", [.i32, .i32], needsMemory: false) { s, _, a in
                try s.socketCall(a.u32(0), shutdownFlags: a.u32(1))
            },
        ]
    }
}
