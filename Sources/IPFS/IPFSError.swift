import Multiformats

/// Every way the IPFS layer (block store, dag-pb, UnixFS, CAR) can fail.
///
/// Each case carries enough context for a log line; `description` renders a readable sentence.
public enum IPFSError: Error, Equatable, Sendable, CustomStringConvertible {
    // MARK: Blocks
    /// The bytes do not hash to the multihash inside the CID; the block was not stored.
    case hashMismatch(cid: String)
    /// The CID uses a hash function we cannot verify (only identity, sha2-256, sha2-512).
    case unsupportedHashFunction(cid: String)
    /// A block is larger than the configured maximum block size.
    case blockTooLarge(size: Int, limit: Int)
    /// The block is not in the store.
    case blockNotFound(cid: String)
    /// A block read from disk no longer matches its CID (disk corruption); it was removed.
    case corruptBlockOnDisk(cid: String)
    /// The block cannot be deleted because a pin or an import in progress still needs it.
    case blockInUse(cid: String)

    // MARK: Quota
    /// Storing the block would take the module past its quota.
    case moduleQuotaExceeded(module: String, usage: Int64, needed: Int64, limit: Int64)
    /// Storing the block would take the whole store past its capacity.
    case storeCapacityExceeded(usage: Int64, needed: Int64, capacity: Int64)

    // MARK: Store files
    /// A file system operation failed (errno text included).
    case io(operation: String, path: String, message: String)
    /// The store's index (pins file) is unreadable.
    case corruptIndex(path: String, reason: String)
    /// The DAG under a pin is incomplete: this block is missing.
    case incompleteDAG(root: String, missing: String)
    /// The module does not hold this pin.
    case notPinned(cid: String, module: String)

    // MARK: dag-pb / UnixFS
    /// The block is not valid dag-pb.
    case invalidDagPB(String)
    /// The block is valid dag-pb but not valid UnixFS, or disagrees with its parent.
    case invalidUnixFS(String)
    /// The codec is not one this operation supports (e.g. reading a dag-cbor block as a file).
    case unsupportedCodec(String)
    /// A file node has more links than the exporter accepts.
    case tooManyLinks(count: Int, limit: Int)
    /// The DAG is deeper than the exporter accepts.
    case tooDeep(limit: Int)
    /// Reading the DAG needs more block loads than the exporter allows: its nodes link the same
    /// blocks over and over, so a few blocks expand to a huge tree.
    case tooManyBlockLoads(limit: Int)
    /// The node is a directory where a file was expected, or the reverse.
    case wrongNodeKind(expected: String, actual: String)
    /// A path segment names no entry in the directory.
    case pathNotFound(String)
    /// A directory entry name is unsafe to write to a file system ("", ".", "..", contains "/" or NUL).
    case unsafeEntryName(String)
    /// The requested byte range is outside the file.
    case rangeNotSatisfiable(lower: UInt64, upper: UInt64, fileSize: UInt64)
    /// A configuration value is out of range.
    case invalidOption(String)
    /// The importer met a file type it does not import (symlink, device, socket...).
    case unsupportedFileType(path: String)

    // MARK: CAR
    /// The CAR header is malformed.
    case invalidCARHeader(String)
    /// The CAR version is not 1 or 2.
    case unsupportedCARVersion(UInt64)
    /// The CAR ended in the middle of a section.
    case truncatedCAR(offset: UInt64)
    /// A CAR section is malformed (bad length, bad CID).
    case invalidCARSection(offset: UInt64, reason: String)
    /// The CAR lacks a block that the DAG walk from a root needs.
    case incompleteCAR(missing: String)
    /// The CAR carries a block that no root reaches (strict verification only).
    case unexpectedBlockInCAR(cid: String)

    // MARK: Wrapped
    /// A multiformats value (CID, varint, protobuf) failed to decode.
    case multiformats(MultiformatsError)

    /// A readable sentence describing the failure.
    public var description: String {
        switch self {
        case .hashMismatch(let cid): return "block bytes do not match CID \(cid); the block was rejected"
        case .unsupportedHashFunction(let cid): return "CID \(cid) uses a hash function that cannot be verified"
        case .blockTooLarge(let size, let limit): return "block of \(size) bytes exceeds the \(limit)-byte limit"
        case .blockNotFound(let cid): return "block \(cid) is not in the store"
        case .corruptBlockOnDisk(let cid): return "block \(cid) was corrupt on disk and has been removed"
        case .blockInUse(let cid): return "block \(cid) is pinned or used by an import in progress"
        case .moduleQuotaExceeded(let module, let usage, let needed, let limit):
            return "module '\(module)' storage quota reached: \(usage) bytes used + \(needed) needed > \(limit) allowed"
        case .storeCapacityExceeded(let usage, let needed, let capacity):
            return "block store full: \(usage) bytes used + \(needed) needed > \(capacity) capacity"
        case .io(let operation, let path, let message): return "\(operation) failed for \(path): \(message)"
        case .corruptIndex(let path, let reason): return "block store index \(path) is corrupt: \(reason)"
        case .incompleteDAG(let root, let missing): return "DAG \(root) is incomplete: block \(missing) is missing"
        case .notPinned(let cid, let module): return "module '\(module)' has no pin on \(cid)"
        case .invalidDagPB(let reason): return "invalid dag-pb block: \(reason)"
        case .invalidUnixFS(let reason): return "invalid UnixFS node: \(reason)"
        case .unsupportedCodec(let codec): return "codec \(codec) is not supported here"
        case .tooManyLinks(let count, let limit): return "node has \(count) links, more than the \(limit) allowed"
        case .tooDeep(let limit): return "DAG is deeper than \(limit) levels"
        case .tooManyBlockLoads(let limit):
            return "DAG needs more than \(limit) block loads (its nodes link the same blocks over and over); refused"
        case .wrongNodeKind(let expected, let actual): return "expected a \(expected), found a \(actual)"
        case .pathNotFound(let segment): return "no directory entry named '\(segment.prefix(200))'"
        case .unsafeEntryName(let name): return "refusing unsafe directory entry name '\(name.prefix(200))'"
        case .rangeNotSatisfiable(let lower, let upper, let fileSize):
            return "byte range \(lower)..<\(upper) is outside the file of \(fileSize) bytes"
        case .invalidOption(let reason): return "invalid option: \(reason)"
        case .unsupportedFileType(let path): return "\(path) is not a regular file or directory"
        case .invalidCARHeader(let reason): return "invalid CAR header: \(reason)"
        case .unsupportedCARVersion(let version): return "CAR version \(version) is not supported (only 1 and 2)"
        case .truncatedCAR(let offset): return "CAR is truncated at byte \(offset)"
        case .invalidCARSection(let offset, let reason): return "invalid CAR section at byte \(offset): \(reason)"
        case .incompleteCAR(let missing): return "CAR is incomplete: block \(missing) is missing"
        case .unexpectedBlockInCAR(let cid): return "CAR carries block \(cid) that no root reaches"
        case .multiformats(let error): return error.description
        }
    }
}
