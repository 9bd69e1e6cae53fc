/// Constants and struct layouts of WASI preview 1, as defined by `typenames.witx`.
enum WASIABI {
    /// The import module name of every preview 1 function.
    static let moduleName = "wasi_snapshot_preview1"

    /// `filetype`.
    enum FileType {
        static let unknown: UInt8 = 0
        static let blockDevice: UInt8 = 1
        static let characterDevice: UInt8 = 2
        static let directory: UInt8 = 3
        static let regularFile: UInt8 = 4
        static let socketDgram: UInt8 = 5
        static let socketStream: UInt8 = 6
        static let symbolicLink: UInt8 = 7
    }

    /// `fdflags`.
    enum FDFlags {
        static let append: UInt16 = 1 << 0
        static let dsync: UInt16 = 1 << 1
        static let nonblock: UInt16 = 1 << 2
        static let rsync: UInt16 = 1 << 3
        static let sync: UInt16 = 1 << 4
    }

    /// `oflags`.
    enum OFlags {
        static let creat: UInt16 = 1 << 0
        static let directory: UInt16 = 1 << 1
        static let excl: UInt16 = 1 << 2
        static let trunc: UInt16 = 1 << 3
    }

    /// `lookupflags`.
    enum LookupFlags {
        static let symlinkFollow: UInt32 = 1 << 0
    }

    /// `fstflags`.
    enum FSTFlags {
        static let atim: UInt16 = 1 << 0
        static let atimNow: UInt16 = 1 << 1
        static let mtim: UInt16 = 1 << 2
        static let mtimNow: UInt16 = 1 << 3
    }

    /// `whence`.
    enum Whence {
        static let set: UInt8 = 0
        static let cur: UInt8 = 1
        static let end: UInt8 = 2
    }

    /// `clockid`.
    enum ClockID {
        static let realtime: UInt32 = 0
        static let monotonic: UInt32 = 1
        static let processCPUTime: UInt32 = 2
        static let threadCPUTime: UInt32 = 3
    }

    /// `eventtype`.
    enum EventType {
        static let clock: UInt8 = 0
        static let fdRead: UInt8 = 1
        static let fdWrite: UInt8 = 2
    }

    /// `subclockflags`.
    static let subclockAbstime: UInt16 = 1 << 0
    /// `eventrwflags`.
    static let eventFDReadWriteHangup: UInt16 = 1 << 0
    /// `preopentype`: the only one, a directory.
    static let preopenTypeDir: UInt8 = 0

    /// `rights`.
    enum Rights {
        static let fdDatasync: UInt64 = 1 << 0
        static let fdRead: UInt64 = 1 << 1
        static let fdSeek: UInt64 = 1 << 2
        static let fdFdstatSetFlags: UInt64 = 1 << 3
        static let fdSync: UInt64 = 1 << 4
        static let fdTell: UInt64 = 1 << 5
        static let fdWrite: UInt64 = 1 << 6
        static let fdAdvise: UInt64 = 1 << 7
        static let fdAllocate: UInt64 = 1 << 8
        static let pathCreateDirectory: UInt64 = 1 << 9
        static let pathCreateFile: UInt64 = 1 << 10
        static let pathLinkSource: UInt64 = 1 << 11
        static let pathLinkTarget: UInt64 = 1 << 12
        static let pathOpen: UInt64 = 1 << 13
        static let fdReaddir: UInt64 = 1 << 14
        static let pathReadlink: UInt64 = 1 << 15
        static let pathRenameSource: UInt64 = 1 << 16
        static let pathRenameTarget: UInt64 = 1 << 17
        static let pathFilestatGet: UInt64 = 1 << 18
        static let pathFilestatSetSize: UInt64 = 1 << 19
        static let pathFilestatSetTimes: UInt64 = 1 << 20
        static let fdFilestatGet: UInt64 = 1 << 21
        static let fdFilestatSetSize: UInt64 = 1 << 22
        static let fdFilestatSetTimes: UInt64 = 1 << 23
        static let pathSymlink: UInt64 = 1 << 24
        static let pathRemoveDirectory: UInt64 = 1 << 25
        static let pathUnlinkFile: UInt64 = 1 << 26
        static let pollFdReadwrite: UInt64 = 1 << 27
        static let sockShutdown: UInt64 = 1 << 28
        static let sockAccept: UInt64 = 1 << 29

        /// Every right.
        static let all: UInt64 = (1 << 30) - 1
        /// The rights that need a writable host descriptor.
        static let writing: UInt64 = fdWrite | fdAllocate | fdFilestatSetSize | fdDatasync
        /// The rights that need a readable host descriptor.
        static let reading: UInt64 = fdRead | fdReaddir
        /// The rights that apply to a directory descriptor.
        static let directory: UInt64 = fdDatasync | fdSync | fdFdstatSetFlags | pathCreateDirectory
            | pathCreateFile | pathLinkSource | pathLinkTarget | pathOpen | fdReaddir | pathReadlink
            | pathRenameSource | pathRenameTarget | pathFilestatGet | pathFilestatSetSize
            | pathFilestatSetTimes | fdFilestatGet | fdFilestatSetTimes | pathSymlink | pathRemoveDirectory
            | pathUnlinkFile | pollFdReadwrite
        /// The rights that apply to a regular file descriptor.
        static let regularFile: UInt64 = fdDatasync | fdRead | fdSeek | fdFdstatSetFlags | fdSync | fdTell
            | fdWrite | fdAdvise | fdAllocate | fdFilestatGet | fdFilestatSetSize | fdFilestatSetTimes
            | pollFdReadwrite
        /// Rights of the standard input.
        static let stdin: UInt64 = fdRead | pollFdReadwrite | fdFdstatSetFlags | fdFilestatGet
        /// Rights of standard output and error.
        static let stdout: UInt64 = fdWrite | pollFdReadwrite | fdFdstatSetFlags | fdFilestatGet
    }

    /// Sizes of the structs the calls read or write (offsets are in the code that encodes them).
    enum Size {
        static let iovec: UInt32 = 8
        static let fdstat: UInt32 = 24
        static let filestat: UInt32 = 64
        static let direntHeader: UInt32 = 24
        static let prestat: UInt32 = 8
        static let subscription: UInt32 = 48
        static let event: UInt32 = 32
    }
}
