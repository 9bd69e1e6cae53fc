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
        let (parent, start) = try directory(fd)
        try requireWritable(memory, resultPointer, 4)
        let path = try path(memory, address, pathLength)
        let known = UInt32(WASIABI.OFlags.creat | WASIABI.OFlags.directory | WASIABI.OFlags.excl | WASIABI.OFlags.trunc)
        guard openFlags & ~known == 0 else { throw WASIErrno.inval }
        let create = openFlags & UInt32(WASIABI.OFlags.creat) != 0
        let exclusive = openFlags & UInt32(WASIABI.OFlags.excl) != 0
        let truncate = openFlags & UInt32(WASIABI.OFlags.trunc) != 0
        let mustBeDirectory = openFlags & UInt32(WASIABI.OFlags.directory) != 0
        let wantsWrite = rightsBase & WASIABI.Rights.writing != 0 || truncate
        let wantsRead = rightsBase & WASIABI.Rights.reading != 0 || !wantsWrite
        if parent.readOnly && ((wantsWrite && !mustBeDirectory) || create) { throw WASIErrno.rofs }
        guard table.hasRoom else { throw WASIErrno.mfile }

        let resolved = try PathResolver.resolve(path, from: start, followFinalSymlink: lookupFlags & WASIABI.LookupFlags.symlinkFollow != 0)
        let existing = try resolved.directory.statEntryIfPresent(resolved.name)
        if let existing, !(existing.isRegularFile || existing.isDirectory || existing.isSymlink) {
            throw WASIErrno.acces
        }
        if existing == nil && create { try storage.check(adding: StorageAccount.entryCost) }

        var flags = O_NOFOLLOW | O_NONBLOCK
        let directoryOnly = mustBeDirectory || resolved.mustBeDirectory
        if directoryOnly {
            // Directories are always opened read-only, whatever rights were asked for.
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
            storage.add(StorageAccount.entryCost)
        } else if let existing, truncate, existing.isRegularFile {
            storage.resize(from: existing.size, to: opened.size)
        }
        guard opened.isRegularFile || opened.isDirectory else { throw WASIErrno.acces }

        let descriptor = Descriptor(
            kind: opened.isDirectory ? .directory : .regularFile, host: host, readOnly: parent.readOnly,
            countsTowardLimit: true, rightsBase: rightsBase, rightsInheriting: rightsInheriting,
            flags: UInt16(truncatingIfNeeded: fdFlags))
        let number = try table.insert(descriptor)
        try memory.store(number, at: resultPointer)
    }

    func pathCreateDirectory(_ memory: GuestMemory, _ fd: UInt32, path address: UInt32, pathLength: UInt32) throws {
        let start = try writableDirectory(fd)
        let resolved = try PathResolver.resolve(try path(memory, address, pathLength), from: start, followFinalSymlink: false)
        try storage.check(adding: StorageAccount.entryCost)
        let status = try withCName(resolved.name) { mkdirat(resolved.directory.raw, $0, 0o755) }
        guard status == 0 else { throw WASIErrno.current }
        storage.add(StorageAccount.entryCost)
    }

    func pathRemoveDirectory(_ memory: GuestMemory, _ fd: UInt32, path address: UInt32, pathLength: UInt32) throws {
        let start = try writableDirectory(fd)
        let resolved = try PathResolver.resolve(try path(memory, address, pathLength), from: start, followFinalSymlink: false)
        let entry = try resolved.directory.statEntry(resolved.name)
        guard entry.isDirectory else { throw WASIErrno.notdir }
        let status = try withCName(resolved.name) { unlinkat(resolved.directory.raw, $0, AT_REMOVEDIR) }
        guard status == 0 else { throw WASIErrno.current }
        storage.remove(StorageAccount.cost(ofRemoving: entry))
    }

    func pathUnlinkFile(_ memory: GuestMemory, _ fd: UInt32, path address: UInt32, pathLength: UInt32) throws {
        let start = try writableDirectory(fd)
        let resolved = try PathResolver.resolve(try path(memory, address, pathLength), from: start, followFinalSymlink: false)
        let entry = try resolved.directory.statEntry(resolved.name)
        guard !entry.isDirectory else { throw WASIErrno.isdir }
        guard !resolved.mustBeDirectory else { throw WASIErrno.notdir }
        let status = try withCName(resolved.name) { unlinkat(resolved.directory.raw, $0, 0) }
        guard status == 0 else { throw WASIErrno.current }
        storage.remove(StorageAccount.cost(ofRemoving: entry))
    }

    func pathFilestatGet(_ memory: GuestMemory, _ fd: UInt32, lookupFlags: UInt32, path address: UInt32, pathLength: UInt32, resultPointer: UInt32) throws {
        let (_, start) = try directory(fd)
        try requireWritable(memory, resultPointer, WASIABI.Size.filestat)
        let follow = lookupFlags & WASIABI.LookupFlags.symlinkFollow != 0
        let resolved = try PathResolver.resolve(try path(memory, address, pathLength), from: start, followFinalSymlink: follow)
        try writeFilestat(try resolved.directory.statEntry(resolved.name), memory, resultPointer)
    }

    func pathFilestatSetTimes(
        _ memory: GuestMemory, _ fd: UInt32, lookupFlags: UInt32, path address: UInt32, pathLength: UInt32,
        access: UInt64, modification: UInt64, flags: UInt32
    ) throws {
        let start = try writableDirectory(fd)
        let follow = lookupFlags & WASIABI.LookupFlags.symlinkFollow != 0
        let resolved = try PathResolver.resolve(try path(memory, address, pathLength), from: start, followFinalSymlink: follow)
        var times = try Self.timespecs(access: access, modification: modification, flags: flags)
        let status = try withCName(resolved.name) { utimensat(resolved.directory.raw, $0, &times, AT_SYMLINK_NOFOLLOW) }
        guard status == 0 else { throw WASIErrno.current }
    }

    func pathReadlink(_ memory: GuestMemory, _ fd: UInt32, path address: UInt32, pathLength: UInt32, buffer: UInt32, bufferLength: UInt32, usedPointer: UInt32) throws {
        let (_, start) = try directory(fd)
        try requireWritable(memory, buffer, bufferLength)
        try requireWritable(memory, usedPointer, 4)
        let resolved = try PathResolver.resolve(try path(memory, address, pathLength), from: start, followFinalSymlink: false)
        let target = try resolved.directory.readLink(resolved.name)
        let copied = Array(target.prefix(Int(bufferLength)))
        try memory.write(copied, at: buffer)
        try memory.store(UInt32(copied.count), at: usedPointer)
    }

    func pathRename(_ memory: GuestMemory, _ fd: UInt32, oldPath: UInt32, oldLength: UInt32, newFD: UInt32, newPath: UInt32, newLength: UInt32) throws {
        let oldStart = try writableDirectory(fd)
        let newStart = try writableDirectory(newFD)
        let source = try PathResolver.resolve(try path(memory, oldPath, oldLength), from: oldStart, followFinalSymlink: false)
        let target = try PathResolver.resolve(try path(memory, newPath, newLength), from: newStart, followFinalSymlink: false)
        let moving = try source.directory.statEntry(source.name)
        let replaced = try target.directory.statEntryIfPresent(target.name)
        let status = try withCName(source.name) { from in
            try withCName(target.name) { to in renameat(source.directory.raw, from, target.directory.raw, to) }
        }
        guard status == 0 else { throw WASIErrno.current }
        if let replaced, !(replaced.device == moving.device && replaced.inode == moving.inode) {
            storage.remove(StorageAccount.cost(ofRemoving: replaced))
        }
    }

    func pathLink(_ memory: GuestMemory, _ fd: UInt32, lookupFlags: UInt32, oldPath: UInt32, oldLength: UInt32, newFD: UInt32, newPath: UInt32, newLength: UInt32) throws {
        let oldStart = try writableDirectory(fd)
        let newStart = try writableDirectory(newFD)
        let follow = lookupFlags & WASIABI.LookupFlags.symlinkFollow != 0
        let source = try PathResolver.resolve(try path(memory, oldPath, oldLength), from: oldStart, followFinalSymlink: follow)
        let target = try PathResolver.resolve(try path(memory, newPath, newLength), from: newStart, followFinalSymlink: false)
        try storage.check(adding: StorageAccount.entryCost)
        let status = try withCName(source.name) { from in
            try withCName(target.name) { to in linkat(source.directory.raw, from, target.directory.raw, to, 0) }
        }
        guard status == 0 else { throw WASIErrno.current }
        storage.add(StorageAccount.entryCost)
    }

    func pathSymlink(_ memory: GuestMemory, oldPath: UInt32, oldLength: UInt32, _ fd: UInt32, newPath: UInt32, newLength: UInt32) throws {
        let start = try writableDirectory(fd)
        let linkTarget = try path(memory, oldPath, oldLength)
        guard !linkTarget.isEmpty else { throw WASIErrno.noent }
        let resolved = try PathResolver.resolve(try path(memory, newPath, newLength), from: start, followFinalSymlink: false)
        let cost = StorageAccount.entryCost + UInt64(linkTarget.count)
        try storage.check(adding: cost)
        let status = try withCName(linkTarget) { target in
            try withCName(resolved.name) { name in symlinkat(target, resolved.directory.raw, name) }
        }
        guard status == 0 else { throw WASIErrno.current }
        storage.add(cost)
    }
}
