import SandboxEngine

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `path_*` calls. Every path is resolved by ``PathResolver`` beneath a directory descriptor,
/// and the final operation uses a `*at()` call that does not follow a final symlink.
extension WASIState {
    func pathOpen(
        _ memory: GuestMemory, _ fd: UInt32, lookupFlags: UInt32, path address: UInt32, pathLength: UInt32,
        openFlags: UInt32, rightsBase: UInt64, rightsInheriting: UInt64, fdFlags: UInt32, resultPointer: UInt32
    ) throws {
        let known = UInt32(WASIABI.OFlags.creat | WASIABI.OFlags.directory | WASIABI.OFlags.excl | WASIABI.OFlags.trunc)
        guard openFlags & ~known == 0 else { throw WASIErrno.inval }
        let create = openFlags & UInt32(WASIABI.OFlags.creat) != 0
        let exclusive = openFlags & UInt32(WASIABI.OFlags.excl) != 0
        let truncate = openFlags & UInt32(WASIABI.OFlags.trunc) != 0
        let mustBeDirectory = openFlags & UInt32(WASIABI.OFlags.directory) != 0
        // `path_create_file` allows `O_CREAT`, `path_filestat_set_size` allows `O_TRUNC` (witx).
        let required = WASIABI.Rights.pathOpen | (create ? WASIABI.Rights.pathCreateFile : 0)
            | (truncate ? WASIABI.Rights.pathFilestatSetSize : 0)
        let (parent, start) = try directory(fd, requiring: required)
        try requireWritable(memory, resultPointer, 4)
        let path = try path(memory, address, pathLength)
        // The new descriptor gets what was asked for within what the directory passes on.
        let base = rightsBase & parent.rightsInheriting
        let inheriting = rightsInheriting & parent.rightsInheriting
        guard table.hasRoom else { throw WASIErrno.mfile }

        let resolved = try PathResolver.resolve(path, from: start, followFinalSymlink: lookupFlags & WASIABI.LookupFlags.symlinkFollow != 0)
        let existing = try resolved.directory.statEntryIfPresent(resolved.name)
        if let existing, !(existing.isRegularFile || existing.isDirectory || existing.isSymlink) {
            throw WASIErrno.acces
        }
        // A directory always opens read-only; file rights that do not apply to it are dropped,
        // except `fd_write` or `O_TRUNC` without `O_DIRECTORY`, which give `EISDIR` (as Wasmtime).
        let directoryOnly = mustBeDirectory || resolved.mustBeDirectory
        let opensDirectory = directoryOnly || existing?.isDirectory == true
        if opensDirectory && !directoryOnly && (base & WASIABI.Rights.fdWrite != 0 || truncate) {
            throw WASIErrno.isdir
        }
        let wantsWrite = !opensDirectory && (base & WASIABI.Rights.writing != 0 || truncate)
        let wantsRead = base & WASIABI.Rights.reading != 0 || !wantsWrite
        if parent.readOnly && (wantsWrite || create) { throw WASIErrno.rofs }
        if existing == nil && create { try storage.checkNewEntry(costing: storage.cost.newFile) }

        var flags = O_NOFOLLOW | O_NONBLOCK
        if opensDirectory {
            flags |= O_DIRECTORY | O_RDONLY
        } else if wantsWrite {
            flags |= wantsRead ? O_RDWR : O_WRONLY
        } else {
            flags |= O_RDONLY
        }
        if create { flags |= O_CREAT }
        if exclusive { flags |= O_EXCL }
        if truncate { flags |= O_TRUNC }
        if fdFlags & UInt32(WASIABI.FDFlags.append) != 0 { flags |= O_APPEND }
        if fdFlags & UInt32(WASIABI.FDFlags.dsync) != 0 { flags |= O_DSYNC }
        if fdFlags & UInt32(WASIABI.FDFlags.sync | WASIABI.FDFlags.rsync) != 0 { flags |= O_SYNC }

        let host = try resolved.directory.open(resolved.name, flags: flags)
        let opened = try host.stat()
        if existing == nil && create {
            storage.addEntry(costing: storage.cost.newFile)
        } else if let existing, truncate, existing.isRegularFile {
            storage.resizeFile(from: existing.size, to: opened.size)
        }
        guard opened.isRegularFile || opened.isDirectory else { throw WASIErrno.acces }

        let descriptor = Descriptor(
            kind: opened.isDirectory ? .directory : .regularFile, host: host, readOnly: parent.readOnly,
            countsTowardLimit: true,
            rightsBase: base & (opened.isDirectory ? WASIABI.Rights.directory : WASIABI.Rights.regularFile),
            rightsInheriting: inheriting, flags: UInt16(truncatingIfNeeded: fdFlags), inode: InodeKey(opened))
        let number = try table.insert(descriptor)
        try memory.store(number, at: resultPointer)
    }

    func pathCreateDirectory(_ memory: GuestMemory, _ fd: UInt32, path address: UInt32, pathLength: UInt32) throws {
        let start = try writableDirectory(fd, requiring: WASIABI.Rights.pathCreateDirectory)
        let resolved = try PathResolver.resolve(try path(memory, address, pathLength), from: start, followFinalSymlink: false)
        let cost = storage.cost.newDirectory
        try storage.checkNewEntry(costing: cost)
        let status = try withCName(resolved.name) { mkdirat(resolved.directory.raw, $0, 0o755) }
        guard status == 0 else { throw WASIErrno.current }
        storage.addEntry(costing: cost)
    }

    func pathRemoveDirectory(_ memory: GuestMemory, _ fd: UInt32, path address: UInt32, pathLength: UInt32) throws {
        let start = try writableDirectory(fd, requiring: WASIABI.Rights.pathRemoveDirectory)
        let resolved = try PathResolver.resolve(try path(memory, address, pathLength), from: start, followFinalSymlink: false)
        let entry = try resolved.directory.statEntry(resolved.name)
        guard entry.isDirectory else { throw WASIErrno.notdir }
        let status = try withCName(resolved.name) { unlinkat(resolved.directory.raw, $0, AT_REMOVEDIR) }
        guard status == 0 else { throw WASIErrno.current }
        removed(entry)
    }

    func pathUnlinkFile(_ memory: GuestMemory, _ fd: UInt32, path address: UInt32, pathLength: UInt32) throws {
        let start = try writableDirectory(fd, requiring: WASIABI.Rights.pathUnlinkFile)
        let resolved = try PathResolver.resolve(try path(memory, address, pathLength), from: start, followFinalSymlink: false)
        let entry = try resolved.directory.statEntry(resolved.name)
        guard !entry.isDirectory else { throw WASIErrno.isdir }
        guard !resolved.mustBeDirectory else { throw WASIErrno.notdir }
        let status = try withCName(resolved.name) { unlinkat(resolved.directory.raw, $0, 0) }
        guard status == 0 else { throw WASIErrno.current }
        removed(entry)
    }

    /// Refunds the name `entry` that was just removed, and its inode when that was its last name
    /// and the guest does not hold it open (then ``release(_:)`` refunds it at the last close).
    private func removed(_ entry: HostStat) {
        storage.removeEntry(freeing: storage.freed(byRemoving: entry, stillOpen: table.isOpen(InodeKey(entry))))
    }

    func pathFilestatGet(_ memory: GuestMemory, _ fd: UInt32, lookupFlags: UInt32, path address: UInt32, pathLength: UInt32, resultPointer: UInt32) throws {
        let (_, start) = try directory(fd, requiring: WASIABI.Rights.pathFilestatGet)
        try requireWritable(memory, resultPointer, WASIABI.Size.filestat)
        let follow = lookupFlags & WASIABI.LookupFlags.symlinkFollow != 0
        let resolved = try PathResolver.resolve(try path(memory, address, pathLength), from: start, followFinalSymlink: follow)
        try writeFilestat(try resolved.directory.statEntry(resolved.name), memory, resultPointer)
    }

    func pathFilestatSetTimes(
        _ memory: GuestMemory, _ fd: UInt32, lookupFlags: UInt32, path address: UInt32, pathLength: UInt32,
        access: UInt64, modification: UInt64, flags: UInt32
    ) throws {
        let start = try writableDirectory(fd, requiring: WASIABI.Rights.pathFilestatSetTimes)
        let follow = lookupFlags & WASIABI.LookupFlags.symlinkFollow != 0
        let resolved = try PathResolver.resolve(try path(memory, address, pathLength), from: start, followFinalSymlink: follow)
        var times = try Self.timespecs(access: access, modification: modification, flags: flags)
        let status = try withCName(resolved.name) { utimensat(resolved.directory.raw, $0, &times, AT_SYMLINK_NOFOLLOW) }
        guard status == 0 else { throw WASIErrno.current }
    }

    func pathReadlink(_ memory: GuestMemory, _ fd: UInt32, path address: UInt32, pathLength: UInt32, buffer: UInt32, bufferLength: UInt32, usedPointer: UInt32) throws {
        let (_, start) = try directory(fd, requiring: WASIABI.Rights.pathReadlink)
        try requireWritable(memory, buffer, bufferLength)
        try requireWritable(memory, usedPointer, 4)
        let resolved = try PathResolver.resolve(try path(memory, address, pathLength), from: start, followFinalSymlink: false)
        let target = try resolved.directory.readLink(resolved.name)
        let copied = Array(target.prefix(Int(bufferLength)))
        try memory.write(copied, at: buffer)
        try memory.store(UInt32(copied.count), at: usedPointer)
    }

    func pathRename(_ memory: GuestMemory, _ fd: UInt32, oldPath: UInt32, oldLength: UInt32, newFD: UInt32, newPath: UInt32, newLength: UInt32) throws {
        let oldStart = try writableDirectory(fd, requiring: WASIABI.Rights.pathRenameSource)
        let newStart = try writableDirectory(newFD, requiring: WASIABI.Rights.pathRenameTarget)
        let source = try PathResolver.resolve(try path(memory, oldPath, oldLength), from: oldStart, followFinalSymlink: false)
        let target = try PathResolver.resolve(try path(memory, newPath, newLength), from: newStart, followFinalSymlink: false)
        let moving = try source.directory.statEntry(source.name)
        try requireInsideTarget(ofLink: moving, at: source, movingTo: target)
        let replaced = try target.directory.statEntryIfPresent(target.name)
        let status = try withCName(source.name) { from in
            try withCName(target.name) { to in renameat(source.directory.raw, from, target.directory.raw, to) }
        }
        guard status == 0 else { throw WASIErrno.current }
        if let replaced, !(replaced.device == moving.device && replaced.inode == moving.inode) {
            removed(replaced)
        }
    }

    func pathLink(_ memory: GuestMemory, _ fd: UInt32, lookupFlags: UInt32, oldPath: UInt32, oldLength: UInt32, newFD: UInt32, newPath: UInt32, newLength: UInt32) throws {
        let oldStart = try writableDirectory(fd, requiring: WASIABI.Rights.pathLinkSource)
        let newStart = try writableDirectory(newFD, requiring: WASIABI.Rights.pathLinkTarget)
        let follow = lookupFlags & WASIABI.LookupFlags.symlinkFollow != 0
        let source = try PathResolver.resolve(try path(memory, oldPath, oldLength), from: oldStart, followFinalSymlink: follow)
        let target = try PathResolver.resolve(try path(memory, newPath, newLength), from: newStart, followFinalSymlink: false)
        let linked = try source.directory.statEntry(source.name)
        // "file/" names a directory, which "file" is not (hard links to directories fail anyway).
        if source.mustBeDirectory && !linked.isDirectory { throw WASIErrno.notdir }
        try requireNoTrailingSlash(target)
        try requireInsideTarget(ofLink: linked, at: source, movingTo: target)
        // A new name for an existing inode: only the name costs.
        try storage.checkNewEntry(costing: StorageCost.entryCost)
        let status = try withCName(source.name) { from in
            try withCName(target.name) { to in linkat(source.directory.raw, from, target.directory.raw, to, 0) }
        }
        guard status == 0 else { throw WASIErrno.current }
        storage.addEntry(costing: StorageCost.entryCost)
    }

    func pathSymlink(_ memory: GuestMemory, oldPath: UInt32, oldLength: UInt32, _ fd: UInt32, newPath: UInt32, newLength: UInt32) throws {
        let start = try writableDirectory(fd, requiring: WASIABI.Rights.pathSymlink)
        let linkTarget = try path(memory, oldPath, oldLength)
        guard !linkTarget.isEmpty else { throw WASIErrno.noent }
        // Absolute targets are refused before anything else, with Wasmtime's errno.
        guard linkTarget.first != UInt8(ascii: "/") else { throw WASIErrno.perm }
        let resolved = try PathResolver.resolve(try path(memory, newPath, newLength), from: start, followFinalSymlink: false)
        try requireNoTrailingSlash(resolved)
        guard PathResolver.symlinkTargetStaysInside(linkTarget, depth: resolved.depth) else { throw WASIErrno.perm }
        let cost = storage.cost.newSymlink(targetLength: linkTarget.count)
        try storage.checkNewEntry(costing: cost)
        let status = try withCName(linkTarget) { target in
            try withCName(resolved.name) { name in symlinkat(target, resolved.directory.raw, name) }
        }
        guard status == 0 else { throw WASIErrno.current }
        storage.addEntry(costing: cost)
    }

    /// A new name ending in `/` can only name an existing directory, and a link cannot be made
    /// there: `EEXIST` when something has that name, `ENOENT` otherwise (as Linux and Wasmtime).
    private func requireNoTrailingSlash(_ destination: ResolvedPath) throws(WASIErrno) {
        guard destination.mustBeDirectory else { return }
        throw try destination.directory.statEntryIfPresent(destination.name) == nil ? .noent : .exist
    }

    /// When `entry` (at `source`) is a symbolic link, fails with `EPERM` unless its target still
    /// points inside the tree from `destination` (links moved or hard-linked elsewhere keep their
    /// target text, which is relative to the directory holding them).
    private func requireInsideTarget(ofLink entry: HostStat, at source: ResolvedPath, movingTo destination: ResolvedPath) throws(WASIErrno) {
        guard entry.isSymlink else { return }
        let text = try source.directory.readLink(source.name)
        guard PathResolver.symlinkTargetStaysInside(text, depth: destination.depth) else { throw .perm }
    }
}
