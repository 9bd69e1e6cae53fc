#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A guest path resolved to a host directory and one final name inside it.
///
/// `name` is a single component without `/`, or `.` for the directory itself; it is never `..`.
/// `mustBeDirectory` is set when the guest path ended in `/`.
/// Operations on it use `*at()` calls on `directory` that never follow a final symlink, so the
/// result cannot leave the directory even if the tree changes meanwhile.
struct ResolvedPath {
    let directory: HostFD
    let name: [UInt8]
    var mustBeDirectory = false
    /// How many directories `directory` lies below the starting directory (0: it is the start).
    var depth = 0
}

/// Resolves guest paths beneath a directory descriptor, confined to it.
///
/// Rules (documented in `docs/wasi.md`):
/// - Absolute paths are refused with `ENOTCAPABLE`, and so is any `..` that would climb above the
///   starting directory.
/// - Paths are walked one component at a time with `openat(O_DIRECTORY | O_NOFOLLOW)`. Symbolic
///   links inside the tree are followed by reading them and walking their (relative) targets with
///   the same rules: a link to an absolute path or out of the starting directory gives
///   `ENOTCAPABLE`. The final component is followed only when the guest asks (`symlink_follow`).
/// - At most ``maxSymlinkExpansions`` links per path (`ELOOP`), paths of at most ``maxPathBytes``
///   bytes and ``maxDepth`` nested directories (`ENAMETOOLONG`); a NUL byte gives `EINVAL`.
enum PathResolver {
    static let maxPathBytes = 4096
    static let maxDepth = 128
    static let maxSymlinkExpansions = 32

    private static let slash = UInt8(ascii: "/")
    private static let dot: [UInt8] = [UInt8(ascii: ".")]
    private static let dotDot: [UInt8] = [UInt8(ascii: "."), UInt8(ascii: ".")]

    static func resolve(_ path: [UInt8], from start: HostFD, followFinalSymlink: Bool) throws(WASIErrno) -> ResolvedPath {
        guard !path.isEmpty else { throw .noent }
        guard path.count <= maxPathBytes else { throw .nametoolong }
        guard !path.contains(0) else { throw .inval }
        guard path.first != slash else { throw .notcapable }
        // A trailing slash names a directory: the final component must be one, and a final
        // symlink is followed to reach it (as POSIX does).
        let trailingSlash = path.last == slash
        let followFinal = followFinalSymlink || trailingSlash

        var directories: [HostFD] = [start]
        // Components still to walk, the next one last.
        var pending = Array(components(of: path).reversed())
        var expansions = 0

        while let component = pending.popLast() {
            let current = directories[directories.count - 1]
            let isFinal = pending.isEmpty
            if component == dot {
                if isFinal { return ResolvedPath(directory: current, name: dot, depth: directories.count - 1) }
                continue
            }
            if component == dotDot {
                guard directories.count > 1 else { throw .notcapable }
                directories.removeLast()
                if isFinal {
                    return ResolvedPath(directory: directories[directories.count - 1], name: dot, depth: directories.count - 1)
                }
                continue
            }
            if isFinal {
                if followFinal, let target = try current.symlinkTarget(component) {
                    try expand(target, into: &pending, expansions: &expansions)
                    continue
                }
                return ResolvedPath(
                    directory: current, name: component, mustBeDirectory: trailingSlash, depth: directories.count - 1)
            }
            do throws(WASIErrno) {
                let next = try current.open(component, flags: O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
                guard directories.count < maxDepth else { throw WASIErrno.nametoolong }
                directories.append(next)
            } catch .loop, .notdir {
                guard let target = try current.symlinkTarget(component) else { throw .notdir }
                try expand(target, into: &pending, expansions: &expansions)
            }
        }
        // Only reached when every component was consumed by a symlink expansion that ended in
        // nothing, which `expand` prevents; treat it as the starting directory.
        return ResolvedPath(directory: directories[directories.count - 1], name: dot, depth: directories.count - 1)
    }

    /// Whether a symbolic link whose target is `target`, placed in a directory `depth` levels
    /// below the starting directory, points inside it when read as text: not absolute, and no
    /// `..` climbing above the start, counted from the link's own directory.
    ///
    /// This is the check made when a guest creates or moves a link, so that it never leaves a
    /// link for a host program (a backup tool, an editor) to follow out of the data folder.
    static func symlinkTargetStaysInside(_ target: [UInt8], depth: Int) -> Bool {
        guard target.first != slash else { return false }
        var level = depth
        for component in components(of: target) {
            if component == dot { continue }
            if component == dotDot {
                level -= 1
                if level < 0 { return false }
            } else {
                level += 1
            }
        }
        return true
    }

    /// Pushes the components of a symlink target in front of the ones still to walk.
    private static func expand(_ target: [UInt8], into pending: inout [[UInt8]], expansions: inout Int) throws(WASIErrno) {
        expansions += 1
        guard expansions <= maxSymlinkExpansions else { throw .loop }
        guard !target.isEmpty else { throw .noent }
        guard target.first != slash else { throw .notcapable }
        pending.append(contentsOf: components(of: target).reversed())
    }

    /// Splits a relative path at `/`, dropping empty parts (a path of only slashes is `.`).
    static func components(of path: [UInt8]) -> [[UInt8]] {
        let parts = path.split(separator: slash, omittingEmptySubsequences: true).map(Array.init)
        return parts.isEmpty ? [dot] : parts
    }
}
