import SandboxEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `fd_*` calls except reading and writing.
extension WASIState {
    func fdClose(_ fd: UInt32) throws {
        release(try table.remove(fd))
    }

    func fdRenumber(_ fd: UInt32, to target: UInt32) throws {
        if let closed = try table.renumber(fd, to: target) { release(closed) }
    }

    func fdSync(_ fd: UInt32, dataOnly: Bool) throws {
        let descriptor = try table.get(fd)
        guard let host = descriptor.host else { return }
        try descriptor.require(dataOnly ? WASIABI.Rights.fdDatasync : WASIABI.Rights.fdSync)
        let status = dataOnly ? fdatasync(host.raw) : fsync(host.raw)
        guard status == 0 else { throw WASIErrno.current }
    }

    func fdAdvise(_ fd: UInt32, offset: UInt64, length: UInt64, advice: UInt32) throws {
        guard advice <= 5 else { throw WASIErrno.inval }
        let descriptor = try table.get(fd)
        switch descriptor.kind {
        case .regularFile: try descriptor.require(WASIABI.Rights.fdAdvise)
        case .directory: throw WASIErrno.badf
        case .standardInput, .standardOutput: throw WASIErrno.spipe
        }
    }

    func fdFdstatGet(_ memory: GuestMemory, _ fd: UInt32, resultPointer: UInt32) throws {
        let descriptor = try table.get(fd)
        try requireWritable(memory, resultPointer, WASIABI.Size.fdstat)
        try memory.write([UInt8](repeating: 0, count: Int(WASIABI.Size.fdstat)), at: resultPointer)
        try memory.store(descriptor.fileType, at: resultPointer)
        try memory.store(descriptor.flags, at: resultPointer &+ 2)
        try memory.store(descriptor.rightsBase, at: resultPointer &+ 8)
        try memory.store(descriptor.rightsInheriting, at: resultPointer &+ 16)
    }

    func fdFdstatSetFlags(_ fd: UInt32, flags: UInt32) throws {
        let known = UInt32(WASIABI.FDFlags.append | WASIABI.FDFlags.dsync | WASIABI.FDFlags.nonblock
            | WASIABI.FDFlags.rsync | WASIABI.FDFlags.sync)
        guard flags & ~known == 0 else { throw WASIErrno.inval }
        let descriptor = try table.get(fd)
        try descriptor.require(WASIABI.Rights.fdFdstatSetFlags)
        if case .regularFile = descriptor.kind, let host = descriptor.host {
            let current = fcntl(host.raw, F_GETFL)
            guard current >= 0 else { throw WASIErrno.current }
            let wanted = flags & UInt32(WASIABI.FDFlags.append) != 0 ? current | O_APPEND : current & ~O_APPEND
            guard fcntl(host.raw, F_SETFL, wanted) == 0 else { throw WASIErrno.current }
        }
        descriptor.flags = UInt16(flags)
    }

    /// Drops rights (adding any gives `ENOTCAPABLE`); every later call on `fd` checks the rights
    /// it needs against what is left.
    func fdFdstatSetRights(_ fd: UInt32, base: UInt64, inheriting: UInt64) throws {
        let descriptor = try table.get(fd)
        guard base & ~descriptor.rightsBase == 0, inheriting & ~descriptor.rightsInheriting == 0 else {
            throw WASIErrno.notcapable
        }
        descriptor.rightsBase = base
        descriptor.rightsInheriting = inheriting
    }

    func fdFilestatGet(_ memory: GuestMemory, _ fd: UInt32, resultPointer: UInt32) throws {
        let descriptor = try table.get(fd)
        try descriptor.require(WASIABI.Rights.fdFilestatGet)
        try requireWritable(memory, resultPointer, WASIABI.Size.filestat)
        if let host = descriptor.host {
            try writeFilestat(try host.stat(), memory, resultPointer)
        } else {
            try memory.write([UInt8](repeating: 0, count: Int(WASIABI.Size.filestat)), at: resultPointer)
            try memory.store(WASIABI.FileType.characterDevice, at: resultPointer &+ 16)
            try memory.store(UInt64(1), at: resultPointer &+ 24)
        }
    }

    /// Encodes a `filestat` at `address`.
    func writeFilestat(_ stat: HostStat, _ memory: GuestMemory, _ address: UInt32) throws {
        try memory.write([UInt8](repeating: 0, count: Int(WASIABI.Size.filestat)), at: address)
        try memory.store(stat.device, at: address)
        try memory.store(stat.inode, at: address &+ 8)
        try memory.store(stat.wasiFileType, at: address &+ 16)
        try memory.store(stat.linkCount, at: address &+ 24)
        try memory.store(stat.size, at: address &+ 32)
        try memory.store(stat.accessTime, at: address &+ 40)
        try memory.store(stat.modificationTime, at: address &+ 48)
        try memory.store(stat.changeTime, at: address &+ 56)
    }

    /// A regular file descriptor with its host descriptor (`EBADF` for directories, as Wasmtime;
    /// `EINVAL` for the standard streams).
    func regularFile(_ fd: UInt32) throws(WASIErrno) -> (Descriptor, HostFD) {
        let descriptor = try table.get(fd)
        switch descriptor.kind {
        case .regularFile:
            guard let host = descriptor.host else { throw .badf }
            return (descriptor, host)
        case .directory: throw .badf
        case .standardInput, .standardOutput: throw .inval
        }
    }

    func fdFilestatSetSize(_ fd: UInt32, size: UInt64) throws {
        let (descriptor, host) = try regularFile(fd)
        try descriptor.require(WASIABI.Rights.fdFilestatSetSize)
        guard !descriptor.readOnly else { throw WASIErrno.rofs }
        try resize(host, to: size, onlyGrow: false)
    }

    func fdAllocate(_ fd: UInt32, offset: UInt64, length: UInt64) throws {
        let (descriptor, host) = try regularFile(fd)
        try descriptor.require(WASIABI.Rights.fdAllocate)
        guard !descriptor.readOnly else { throw WASIErrno.rofs }
        let (end, overflow) = offset.addingReportingOverflow(length)
        guard !overflow else { throw WASIErrno.fbig }
        try resize(host, to: end, onlyGrow: true)
    }

    /// Sets a file's size under the quota (growth is checked first and nothing changes on `EDQUOT`).
    private func resize(_ host: HostFD, to size: UInt64, onlyGrow: Bool) throws {
        guard size <= UInt64(Int64.max) else { throw WASIErrno.fbig }
        let before = try host.stat().size
        if onlyGrow && size <= before { return }
        try storage.checkFileGrowth(from: before, to: size)
        guard ftruncate(host.raw, off_t(size)) == 0 else { throw WASIErrno.current }
        let after = (try? host.stat().size) ?? size
        storage.resizeFile(from: before, to: after)
    }

    func fdFilestatSetTimes(_ fd: UInt32, access: UInt64, modification: UInt64, flags: UInt32) throws {
        let descriptor = try table.get(fd)
        guard let host = descriptor.host else { throw WASIErrno.badf }
        try descriptor.require(WASIABI.Rights.fdFilestatSetTimes)
        guard !descriptor.readOnly else { throw WASIErrno.rofs }
        var times = try Self.timespecs(access: access, modification: modification, flags: flags)
        guard futimens(host.raw, &times) == 0 else { throw WASIErrno.current }
    }

    /// The `[atime, mtime]` pair for `futimens`/`utimensat` from WASI `fstflags`.
    static func timespecs(access: UInt64, modification: UInt64, flags: UInt32) throws(WASIErrno) -> [timespec] {
        let atim = UInt32(WASIABI.FSTFlags.atim), atimNow = UInt32(WASIABI.FSTFlags.atimNow)
        let mtim = UInt32(WASIABI.FSTFlags.mtim), mtimNow = UInt32(WASIABI.FSTFlags.mtimNow)
        guard flags & ~(atim | atimNow | mtim | mtimNow) == 0 else { throw .inval }
        guard flags & (atim | atimNow) != (atim | atimNow), flags & (mtim | mtimNow) != (mtim | mtimNow) else {
            throw .inval
        }
        func spec(_ value: UInt64, set: Bool, now: Bool) -> timespec {
            if now { return timespec(tv_sec: 0, tv_nsec: utimeNow) }
            if set { return timespec(tv_sec: Int(value / 1_000_000_000), tv_nsec: Int(value % 1_000_000_000)) }
            return timespec(tv_sec: 0, tv_nsec: utimeOmit)
        }
        return [
            spec(access, set: flags & atim != 0, now: flags & atimNow != 0),
            spec(modification, set: flags & mtim != 0, now: flags & mtimNow != 0),
        ]
    }

    func fdPrestatGet(_ memory: GuestMemory, _ fd: UInt32, resultPointer: UInt32) throws {
        let descriptor = try table.get(fd)
        guard let name = descriptor.preopenPath else { throw WASIErrno.badf }
        try requireWritable(memory, resultPointer, WASIABI.Size.prestat)
        try memory.write([UInt8](repeating: 0, count: Int(WASIABI.Size.prestat)), at: resultPointer)
        try memory.store(WASIABI.preopenTypeDir, at: resultPointer)
        try memory.store(UInt32(name.utf8.count), at: resultPointer &+ 4)
    }

    func fdPrestatDirName(_ memory: GuestMemory, _ fd: UInt32, buffer: UInt32, length: UInt32) throws {
        let descriptor = try table.get(fd)
        guard let name = descriptor.preopenPath else { throw WASIErrno.badf }
        let bytes = Array(name.utf8)
        guard UInt64(length) >= UInt64(bytes.count) else { throw WASIErrno.nametoolong }
        try memory.write(bytes, at: buffer)
    }

    func fdReaddir(_ memory: GuestMemory, _ fd: UInt32, buffer: UInt32, length: UInt32, cookie: UInt64, usedPointer: UInt32) throws {
        let (descriptor, host) = try directory(fd, requiring: WASIABI.Rights.fdReaddir)
        try requireWritable(memory, buffer, length)
        try requireWritable(memory, usedPointer, 4)
        let stream = try descriptor.stream ?? DirectoryStream(directory: host)
        descriptor.stream = stream
        stream.seek(to: cookie)
        var output: [UInt8] = []
        while output.count < Int(length), let (entry, nextCookie) = stream.next().map({ ($0.entry, $0.nextCookie) }) {
            var record = [UInt8](repeating: 0, count: Int(WASIABI.Size.direntHeader))
            Self.put(nextCookie, into: &record, at: 0)
            Self.put(entry.inode, into: &record, at: 8)
            Self.put(UInt64(entry.name.count), into: &record, at: 16, width: 4)
            record[20] = entry.fileType
            record.append(contentsOf: entry.name)
            output.append(contentsOf: record.prefix(Int(length) - output.count))
        }
        try memory.write(output, at: buffer)
        try memory.store(UInt32(output.count), at: usedPointer)
    }

    /// Stores the low `width` bytes of `value`, little-endian, at `offset`.
    private static func put(_ value: UInt64, into bytes: inout [UInt8], at offset: Int, width: Int = 8) {
        for byte in 0..<width {
            bytes[offset + byte] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(byte)))
        }
    }
}

/// `UTIME_NOW` and `UTIME_OMIT` from `<sys/stat.h>` (Linux values).
let utimeNow = (1 << 30) - 1
let utimeOmit = (1 << 30) - 2
