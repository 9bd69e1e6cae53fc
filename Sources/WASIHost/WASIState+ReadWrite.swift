import SandboxEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `fd_read`, `fd_pread`, `fd_write`, `fd_pwrite`, `fd_seek`, `fd_tell`.
extension WASIState {
    func fdWrite(_ memory: GuestMemory, _ fd: UInt32, vectors: UInt32, count: UInt32, resultPointer: UInt32, offset: UInt64?) throws {
        let descriptor = try table.get(fd)
        try requireWritable(memory, resultPointer, 4)
        let buffers = try buffers(memory, vectors, count)
        let total = buffers.reduce(UInt64(0)) { $0 + UInt64($1.count) }
        let written: UInt64
        switch descriptor.kind {
        case .standardOutput(let sink):
            guard offset == nil else { throw WASIErrno.spipe }
            try descriptor.require(WASIABI.Rights.fdWrite)
            for buffer in buffers { sink.write(UnsafeRawBufferPointer(buffer)) }
            written = total
        case .standardInput:
            throw offset == nil ? WASIErrno.badf : WASIErrno.spipe
        case .directory:
            // A directory is not a file to read or write: `EBADF`, as Wasmtime.
            throw WASIErrno.badf
        case .regularFile:
            guard let host = descriptor.host else { throw WASIErrno.badf }
            try descriptor.require(WASIABI.Rights.fdWrite | (offset == nil ? 0 : WASIABI.Rights.fdSeek))
            written = try writeFile(descriptor, host, buffers, total: total, offset: offset)
        }
        try memory.store(UInt32(clamping: written), at: resultPointer)
    }

    /// Writes to a regular file under the storage quota: a write that would take usage over the
    /// quota fails with `EDQUOT` before any byte is written.
    private func writeFile(_ descriptor: Descriptor, _ host: HostFD, _ buffers: [UnsafeMutableRawBufferPointer], total: UInt64, offset: UInt64?) throws -> UInt64 {
        guard !descriptor.readOnly else { throw WASIErrno.rofs }
        let before = try host.stat().size
        let start: UInt64
        if descriptor.isAppend {
            start = before
        } else if let offset {
            start = offset
        } else {
            let position = lseek(host.raw, 0, SEEK_CUR)
            guard position >= 0 else { throw WASIErrno.current }
            start = UInt64(position)
        }
        let (end, overflow) = start.addingReportingOverflow(total)
        guard !overflow, end <= UInt64(Int64.max) else { throw WASIErrno.fbig }
        if end > before { try storage.checkFileGrowth(from: before, to: end) }
        guard total > 0 else { return 0 }
        var vectors = hostVectors(buffers)
        let result: Int
        if let offset {
            guard offset <= UInt64(Int64.max) else { throw WASIErrno.inval }
            result = pwritev(host.raw, &vectors, Int32(vectors.count), off_t(offset))
        } else {
            result = writev(host.raw, &vectors, Int32(vectors.count))
        }
        let failure = result < 0 ? WASIErrno.current : nil
        let after = (try? host.stat().size) ?? before
        storage.resizeFile(from: before, to: after)
        if let failure { throw failure }
        return UInt64(result)
    }

    func fdRead(_ memory: GuestMemory, _ fd: UInt32, vectors: UInt32, count: UInt32, resultPointer: UInt32, offset: UInt64?) throws {
        let descriptor = try table.get(fd)
        try requireWritable(memory, resultPointer, 4)
        let buffers = try buffers(memory, vectors, count)
        let read: Int
        switch descriptor.kind {
        case .standardInput:
            guard offset == nil else { throw WASIErrno.spipe }
            try descriptor.require(WASIABI.Rights.fdRead)
            read = try readStandardInput(buffers)
        case .standardOutput:
            throw offset == nil ? WASIErrno.badf : WASIErrno.spipe
        case .directory:
            // A directory is not a file to read or write: `EBADF`, as Wasmtime.
            throw WASIErrno.badf
        case .regularFile:
            guard let host = descriptor.host else { throw WASIErrno.badf }
            try descriptor.require(WASIABI.Rights.fdRead | (offset == nil ? 0 : WASIABI.Rights.fdSeek))
            read = try readHost(host.raw, buffers, offset: offset)
        }
        try memory.store(UInt32(clamping: read), at: resultPointer)
    }

    private func readHost(_ fd: Int32, _ buffers: [UnsafeMutableRawBufferPointer], offset: UInt64?) throws -> Int {
        guard !buffers.isEmpty else { return 0 }
        var vectors = hostVectors(buffers)
        let result: Int
        if let offset {
            guard offset <= UInt64(Int64.max) else { throw WASIErrno.inval }
            result = preadv(fd, &vectors, Int32(vectors.count), off_t(offset))
        } else {
            result = readv(fd, &vectors, Int32(vectors.count))
        }
        guard result >= 0 else { throw WASIErrno.current }
        return result
    }

    /// Reads standard input. `.none` is end-of-file at once; a host descriptor is waited on in
    /// short slices so that the governor's deadline or stop ends the wait.
    private func readStandardInput(_ buffers: [UnsafeMutableRawBufferPointer]) throws -> Int {
        switch stdinSource {
        case .none:
            return 0
        case .bytes(let bytes):
            var copied = 0
            for buffer in buffers {
                let take = min(buffer.count, bytes.count - stdinPosition)
                guard take > 0 else { break }
                let position = stdinPosition
                bytes.withUnsafeBytes { source in
                    guard let from = source.baseAddress, let to = buffer.baseAddress else { return }
                    to.copyMemory(from: from + position, byteCount: take)
                }
                stdinPosition += take
                copied += take
            }
            return copied
        case .fileDescriptor(let fd):
            while true {
                try waitUntilReadable(fd, slice: .milliseconds(20))
                do {
                    return try readHost(fd, buffers, offset: nil)
                } catch WASIErrno.again {
                    continue
                } catch WASIErrno.intr {
                    continue
                }
            }
        }
    }

    /// Waits until `fd` is readable (or at end-of-file or in error), checking the governor every
    /// `slice`.
    func waitUntilReadable(_ fd: Int32, slice: Duration) throws {
        while true {
            try checkGovernor()
            if try pollReadable(fd, timeout: slice) { return }
        }
    }

    /// Whether `fd` is readable within `timeout` (also true on hang-up or error, so a read reports it).
    func pollReadable(_ fd: Int32, timeout: Duration) throws -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(clamping: max(0, timeout.nanoseconds / 1_000_000))
        let status = poll(&entry, 1, milliseconds)
        if status < 0 {
            if errno == EINTR { return false }
            return true
        }
        return status > 0
    }

    func fdSeek(_ memory: GuestMemory, _ fd: UInt32, offset: UInt64, whence: UInt32, resultPointer: UInt32) throws {
        let hostWhence: Int32
        switch whence {
        case UInt32(WASIABI.Whence.set): hostWhence = SEEK_SET
        case UInt32(WASIABI.Whence.cur): hostWhence = SEEK_CUR
        case UInt32(WASIABI.Whence.end): hostWhence = SEEK_END
        default: throw WASIErrno.inval
        }
        try requireWritable(memory, resultPointer, 8)
        let host = try seekableFile(fd, requiring: WASIABI.Rights.fdSeek)
        let position = lseek(host.raw, off_t(Int64(bitPattern: offset)), hostWhence)
        guard position >= 0 else { throw WASIErrno.current }
        try memory.store(UInt64(position), at: resultPointer)
    }

    func fdTell(_ memory: GuestMemory, _ fd: UInt32, resultPointer: UInt32) throws {
        try requireWritable(memory, resultPointer, 8)
        // `fd_seek` implies `fd_tell`.
        let host = try seekableFile(fd, requiring: WASIABI.Rights.fdTell | WASIABI.Rights.fdSeek, any: true)
        let position = lseek(host.raw, 0, SEEK_CUR)
        guard position >= 0 else { throw WASIErrno.current }
        try memory.store(UInt64(position), at: resultPointer)
    }

    /// A regular file with `rights` (all of them, or one of them when `any`). A directory gives
    /// `EBADF` and a standard stream `ESPIPE` whatever their rights, as Wasmtime does.
    private func seekableFile(_ fd: UInt32, requiring rights: UInt64, any: Bool = false) throws(WASIErrno) -> HostFD {
        let descriptor = try table.get(fd)
        switch descriptor.kind {
        case .regularFile:
            guard let host = descriptor.host else { throw .badf }
            if any { try descriptor.requireAny(rights) } else { try descriptor.require(rights) }
            return host
        case .directory: throw .badf
        case .standardInput, .standardOutput: throw .spipe
        }
    }
}
