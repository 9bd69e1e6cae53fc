#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A WASI preview 1 error number (`errno` in `typenames.witx`), returned by every call as its
/// `i32` result. `success` is 0.
public enum WASIErrno: UInt16, Error, Sendable, Hashable, CustomStringConvertible {
    case success = 0, toobig = 1, acces = 2, addrinuse = 3, addrnotavail = 4, afnosupport = 5
    case again = 6, already = 7, badf = 8, badmsg = 9, busy = 10, canceled = 11, child = 12
    case connaborted = 13, connrefused = 14, connreset = 15, deadlk = 16, destaddrreq = 17
    case dom = 18, dquot = 19, exist = 20, fault = 21, fbig = 22, hostunreach = 23, idrm = 24
    case ilseq = 25, inprogress = 26, intr = 27, inval = 28, io = 29, isconn = 30, isdir = 31
    case loop = 32, mfile = 33, mlink = 34, msgsize = 35, multihop = 36, nametoolong = 37
    case netdown = 38, netreset = 39, netunreach = 40, nfile = 41, nobufs = 42, nodev = 43
    case noent = 44, noexec = 45, nolck = 46, nolink = 47, nomem = 48, nomsg = 49
    case noprotoopt = 50, nospc = 51, nosys = 52, notconn = 53, notdir = 54, notempty = 55
    case notrecoverable = 56, notsock = 57, notsup = 58, notty = 59, nxio = 60, overflow = 61
    case ownerdead = 62, perm = 63, pipe = 64, proto = 65, protonosupport = 66, prototype = 67
    case range = 68, rofs = 69, spipe = 70, srch = 71, stale = 72, timedout = 73, txtbsy = 74
    case xdev = 75, notcapable = 76

    public var description: String { "WASI errno \(rawValue)" }

    /// Translates a host `errno` value from a failed system call.
    public init(hostErrno code: Int32) {
        switch code {
        case EPERM: self = .perm
        case ENOENT: self = .noent
        case EINTR: self = .intr
        case EIO: self = .io
        case ENXIO: self = .nxio
        case E2BIG: self = .toobig
        case EBADF: self = .badf
        case EAGAIN: self = .again
        case ENOMEM: self = .nomem
        case EACCES: self = .acces
        case EFAULT: self = .fault
        case EBUSY: self = .busy
        case EEXIST: self = .exist
        case EXDEV: self = .xdev
        case ENODEV: self = .nodev
        case ENOTDIR: self = .notdir
        case EISDIR: self = .isdir
        case EINVAL: self = .inval
        case ENFILE: self = .nfile
        case EMFILE: self = .mfile
        case ENOTTY: self = .notty
        case ETXTBSY: self = .txtbsy
        case EFBIG: self = .fbig
        case ENOSPC: self = .nospc
        case ESPIPE: self = .spipe
        case EROFS: self = .rofs
        case EMLINK: self = .mlink
        case EPIPE: self = .pipe
        case ERANGE: self = .range
        case ENAMETOOLONG: self = .nametoolong
        case ENOSYS: self = .nosys
        case ENOTEMPTY: self = .notempty
        case ELOOP: self = .loop
        case EOVERFLOW: self = .overflow
        case EILSEQ: self = .ilseq
        case EDQUOT: self = .dquot
        case ENOTSUP: self = .notsup
        case ETIMEDOUT: self = .timedout
        case ECANCELED: self = .canceled
        default: self = .io
        }
    }

    /// The error of the last failed system call on this thread.
    static var current: WASIErrno { WASIErrno(hostErrno: errno) }
}
