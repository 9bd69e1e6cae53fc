import SandboxEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Arguments, environment, clocks, randomness and process control.
extension WASIState {
    func argsSizesGet(_ memory: GuestMemory, countPointer: UInt32, sizePointer: UInt32) throws {
        try storeSizes(arguments, memory, countPointer, sizePointer)
    }

    func argsGet(_ memory: GuestMemory, pointers: UInt32, buffer: UInt32) throws {
        try storeStrings(arguments, memory, pointers, buffer)
    }

    func environSizesGet(_ memory: GuestMemory, countPointer: UInt32, sizePointer: UInt32) throws {
        try storeSizes(environment, memory, countPointer, sizePointer)
    }

    func environGet(_ memory: GuestMemory, pointers: UInt32, buffer: UInt32) throws {
        try storeStrings(environment, memory, pointers, buffer)
    }

    private func storeSizes(_ strings: [[UInt8]], _ memory: GuestMemory, _ countPointer: UInt32, _ sizePointer: UInt32) throws {
        let total = strings.reduce(0) { $0 + $1.count + 1 }
        guard let count = UInt32(exactly: strings.count), let size = UInt32(exactly: total) else { throw WASIErrno.overflow }
        try requireWritable(memory, countPointer, 4)
        try requireWritable(memory, sizePointer, 4)
        try memory.store(count, at: countPointer)
        try memory.store(size, at: sizePointer)
    }

    /// Writes the NUL-terminated strings at `buffer` and their addresses at `pointers`.
    private func storeStrings(_ strings: [[UInt8]], _ memory: GuestMemory, _ pointers: UInt32, _ buffer: UInt32) throws {
        let total = strings.reduce(0) { $0 + $1.count + 1 }
        guard let size = UInt32(exactly: total), let count = UInt32(exactly: strings.count) else { throw WASIErrno.overflow }
        try requireWritable(memory, buffer, size)
        let (pointerBytes, overflow) = count.multipliedReportingOverflow(by: 4)
        guard !overflow else { throw WASIErrno.overflow }
        try requireWritable(memory, pointers, pointerBytes)
        var next = buffer
        for (index, string) in strings.enumerated() {
            try memory.store(next, at: pointers &+ UInt32(index) &* 4)
            try memory.write(string + [0], at: next)
            next &+= UInt32(string.count + 1)
        }
    }

    func clockResGet(_ memory: GuestMemory, clock: UInt32, resultPointer: UInt32) throws {
        var spec = timespec()
        guard clock_getres(try hostClock(clock), &spec) == 0 else { throw WASIErrno.current }
        try memory.store(Self.nanoseconds(spec), at: resultPointer)
    }

    func clockTimeGet(_ memory: GuestMemory, clock: UInt32, resultPointer: UInt32) throws {
        try memory.store(try now(clock), at: resultPointer)
    }

    /// The current time of a WASI clock in nanoseconds.
    func now(_ clock: UInt32) throws(WASIErrno) -> UInt64 {
        var spec = timespec()
        guard clock_gettime(try hostClock(clock), &spec) == 0 else { throw WASIErrno.current }
        return Self.nanoseconds(spec)
    }

    private func hostClock(_ clock: UInt32) throws(WASIErrno) -> clockid_t {
        switch clock {
        case WASIABI.ClockID.realtime: CLOCK_REALTIME
        case WASIABI.ClockID.monotonic: CLOCK_MONOTONIC
        case WASIABI.ClockID.processCPUTime: CLOCK_PROCESS_CPUTIME_ID
        case WASIABI.ClockID.threadCPUTime: CLOCK_THREAD_CPUTIME_ID
        default: throw .inval
        }
    }

    static func nanoseconds(_ spec: timespec) -> UInt64 {
        guard spec.tv_sec >= 0 else { return 0 }
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(max(0, spec.tv_nsec))
    }

    func randomGet(_ memory: GuestMemory, buffer: UInt32, length: UInt32) throws {
        try memory.withMutableBytes(at: buffer, count: length) { random.fill($0) }
    }

    func schedYield() {
        sched_yield()
    }

    /// Every `sock_*` call: no descriptor is ever a socket, so `EBADF` for an unknown descriptor,
    /// `EINVAL` for `sock_shutdown` flags other than `rd` and `wr`, and `ENOTSOCK` otherwise.
    func socketCall(_ fd: UInt32, shutdownFlags: UInt32 = 0) throws {
        _ = try table.get(fd)
        guard shutdownFlags & ~UInt32(3) == 0 else { throw WASIErrno.inval }
        throw WASIErrno.notsock
    }
}
