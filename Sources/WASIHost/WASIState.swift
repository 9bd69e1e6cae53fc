import SandboxEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The mutable state behind a ``WASIContext`` and the implementation of every call.
///
/// Calls run one at a time under the context's lock. Each call either succeeds or throws a
/// ``WASIErrno`` (returned to the guest), a ``GuestMemoryError`` (returned as `EFAULT`), or
/// another error that ends the guest (``WASIExit``, the governor's ``SandboxError``).
final class WASIState {
    var table: FileDescriptorTable
    var storage: StorageAccount
    let arguments: [[UInt8]]
    let environment: [[UInt8]]
    let stdinSource: WASIInput
    var stdinPosition = 0
    let governor: ExecutionGovernor?
    let random: any WASIRandomSource

    init(configuration: WASIConfiguration) throws(WASIError) {
        for text in configuration.arguments where text.utf8.contains(0) { throw .invalidString(text) }
        for (name, value) in configuration.environment
        where name.utf8.contains(0) || value.utf8.contains(0) || name.contains("=") || name.isEmpty {
            throw .invalidString(name)
        }
        arguments = configuration.arguments.map { Array($0.utf8) }
        environment = configuration.environment.map { Array("\($0.0)=\($0.1)".utf8) }
        stdinSource = configuration.stdin
        governor = configuration.governor
        random = configuration.random

        var table = FileDescriptorTable(maxOpen: configuration.maxOpenFiles)
        do {
            _ = try table.insert(Descriptor(kind: .standardInput, rightsBase: WASIABI.Rights.stdin, rightsInheriting: 0))
            _ = try table.insert(Descriptor(
                kind: .standardOutput(configuration.stdout), rightsBase: WASIABI.Rights.stdout, rightsInheriting: 0))
            _ = try table.insert(Descriptor(
                kind: .standardOutput(configuration.stderr), rightsBase: WASIABI.Rights.stdout, rightsInheriting: 0))
        } catch {
            throw .closed
        }
        var roots: [HostFD] = []
        for preopen in configuration.preopens {
            guard !preopen.guestPath.isEmpty, !preopen.guestPath.utf8.contains(0) else {
                throw .invalidGuestPath(preopen.guestPath)
            }
            let raw = preopen.hostPath.withCString { open($0, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
            guard raw >= 0 else {
                let reason = errno == ENOENT ? "no such directory" : String(cString: strerror(errno))
                throw .cannotOpenPreopen(hostPath: preopen.hostPath, reason: reason)
            }
            let host = HostFD(raw)
            roots.append(host)
            // A preopen gets the rights that apply to a directory; everything may be inherited.
            let descriptor = Descriptor(
                kind: .directory, host: host, preopenPath: preopen.guestPath, readOnly: preopen.readOnly,
                rightsBase: WASIABI.Rights.directory, rightsInheriting: WASIABI.Rights.all)
            do {
                _ = try table.insert(descriptor)
            } catch {
                throw .closed
            }
        }
        self.table = table
        let cost = StorageCost.forDirectories(roots)
        var scanner = StorageScanner(entryLimit: configuration.storageScanLimit, cost: cost)
        // A read-only directory can never grow, so its contents are not the module's to pay for
        // (a JavaScript module's own folder would otherwise eat into the quota of its data folder,
        // and a large one would be walked at every start).
        for (root, preopen) in zip(roots, configuration.preopens) where !preopen.readOnly { scanner.scan(root: root) }
        // An unfinished scan counts as full, so that nothing can grow a tree of unknown size.
        let used = scanner.complete ? scanner.bytes : max(scanner.bytes, configuration.storageQuota)
        let entries = scanner.complete ? scanner.entries : max(scanner.entries, configuration.maxStorageEntries)
        self.storage = StorageAccount(
            quota: configuration.storageQuota, used: used, entryLimit: configuration.maxStorageEntries,
            entries: entries, cost: cost)
    }

    // MARK: Helpers shared by the calls

    /// A descriptor that must be a directory (`ENOTDIR` otherwise) with a host descriptor and
    /// `rights` (`ENOTCAPABLE` otherwise).
    func directory(_ fd: UInt32, requiring rights: UInt64) throws(WASIErrno) -> (Descriptor, HostFD) {
        let descriptor = try table.get(fd)
        guard case .directory = descriptor.kind, let host = descriptor.host else { throw .notdir }
        try descriptor.require(rights)
        return (descriptor, host)
    }

    /// A directory descriptor with `rights` that may change its tree (`EROFS` for read-only
    /// preopens).
    func writableDirectory(_ fd: UInt32, requiring rights: UInt64) throws(WASIErrno) -> HostFD {
        let (descriptor, host) = try directory(fd, requiring: rights)
        guard !descriptor.readOnly else { throw .rofs }
        return host
    }

    /// Closes a descriptor already taken out of the table. When it was the last guest descriptor
    /// of an inode that has no name left (unlinked or renamed over while open), the file system
    /// frees the inode now, and so the account refunds it now.
    func release(_ descriptor: Descriptor) {
        guard descriptor.countsTowardLimit, let inode = descriptor.inode, let host = descriptor.host,
              !table.isOpen(inode), let stat = try? host.stat(), stat.linkCount == 0
        else { return }
        storage.remove(storage.cost.inode(stat))
    }

    /// Reads a guest path argument.
    func path(_ memory: GuestMemory, _ address: UInt32, _ length: UInt32) throws -> [UInt8] {
        guard length <= UInt32(PathResolver.maxPathBytes) else { throw WASIErrno.nametoolong }
        return try memory.bytes(at: address, count: length)
    }

    /// Checks that `length` bytes at `address` are writable before any side effect happens.
    func requireWritable(_ memory: GuestMemory, _ address: UInt32, _ length: UInt32) throws {
        _ = try memory.checkedRange(address: UInt64(address), length: UInt64(length))
    }

    /// The guest buffers of an `iovec` / `ciovec` array, bounds-checked, pointing into guest memory
    /// (valid for the current call only).
    func buffers(_ memory: GuestMemory, _ address: UInt32, _ count: UInt32) throws -> [UnsafeMutableRawBufferPointer] {
        guard count <= 1024 else { throw WASIErrno.inval }
        var result: [UnsafeMutableRawBufferPointer] = []
        result.reserveCapacity(Int(count))
        // The whole array lies inside memory, so the entry addresses below cannot wrap.
        _ = try memory.checkedRange(address: UInt64(address), length: UInt64(count) * UInt64(WASIABI.Size.iovec))
        for index in 0..<count {
            let entry = address &+ index &* WASIABI.Size.iovec
            let start = try memory.load(UInt32.self, at: entry)
            let length = try memory.load(UInt32.self, at: entry &+ 4)
            let range = try memory.checkedRange(address: UInt64(start), length: UInt64(length))
            if let base = memory.base, !range.isEmpty {
                result.append(UnsafeMutableRawBufferPointer(start: base + range.lowerBound, count: range.count))
            }
        }
        return result
    }

    /// Host `iovec`s for `buffers`.
    func hostVectors(_ buffers: [UnsafeMutableRawBufferPointer]) -> [iovec] {
        buffers.map { iovec(iov_base: $0.baseAddress, iov_len: $0.count) }
    }

    /// Ends a blocking wait when the governor says the instance must stop.
    func checkGovernor() throws {
        if let stop = governor?.pendingStop() { throw stop }
    }
}

/// The host-supplied value of a WASI argument, decoded.
struct WASIArguments {
    let values: [WasmValue]

    func u32(_ index: Int) throws(WASIErrno) -> UInt32 {
        guard index < values.count, let value = values[index].i32 else { throw .inval }
        return value
    }

    func u64(_ index: Int) throws(WASIErrno) -> UInt64 {
        guard index < values.count, let value = values[index].i64 else { throw .inval }
        return value
    }
}
