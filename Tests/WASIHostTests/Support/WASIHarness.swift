import Foundation
import SandboxEngine
import StationTestSupport
import Testing
@testable import WASIHost

/// A fixed block of fake linear memory, so host functions can be called without an engine.
final class TestMemory: GuestMemoryAccess {
    let buffer: UnsafeMutableRawBufferPointer

    init(size: Int = 1 << 16) {
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit {
        buffer.deallocate()
    }

    func withGuestMemory<R>(_ body: (GuestMemory) throws -> R) throws -> R {
        try body(GuestMemory(base: buffer.baseAddress, size: buffer.count))
    }

    var view: GuestMemory { GuestMemory(base: buffer.baseAddress, size: buffer.count) }
}

/// Calls the WASI host functions of one context directly, with a fake memory, the way a guest
/// would: arguments as `WasmValue`s, results as errnos.
final class WASIHarness {
    let context: WASIContext
    let memory = TestMemory()
    private let functions: [String: HostFunction]

    /// Scratch addresses used by the helpers.
    static let pathAddress: UInt32 = 1024
    static let resultAddress: UInt32 = 512
    static let iovecAddress: UInt32 = 256
    static let dataAddress: UInt32 = 8192

    init(_ configuration: WASIConfiguration) throws {
        context = try WASIContext(configuration: configuration)
        functions = Dictionary(uniqueKeysWithValues: context.hostFunctions().map { ($0.name, $0) })
    }

    /// Calls `name` and returns its raw results.
    func invoke(_ name: String, _ arguments: [WasmValue]) throws -> [WasmValue] {
        let function = try #require(functions[name], "no host function \(name)")
        return try function.body(HostCall(access: memory), arguments)
    }

    /// Calls `name` and returns its errno.
    func call(_ name: String, _ arguments: [WasmValue]) throws -> WASIErrno {
        let results = try invoke(name, arguments)
        let raw = try #require(results.first?.i32)
        return try #require(WASIErrno(rawValue: UInt16(raw)))
    }

    func store(_ bytes: [UInt8], at address: UInt32) throws {
        try memory.view.write(bytes, at: address)
    }

    func u32(at address: UInt32) throws -> UInt32 { try memory.view.load(UInt32.self, at: address) }
    func u64(at address: UInt32) throws -> UInt64 { try memory.view.load(UInt64.self, at: address) }
    func u8(at address: UInt32) throws -> UInt8 { try memory.view.load(UInt8.self, at: address) }
    func bytes(at address: UInt32, count: UInt32) throws -> [UInt8] { try memory.view.bytes(at: address, count: count) }

    /// Puts `path` in memory and returns (address, length) arguments.
    func pathArguments(_ path: String) throws -> [WasmValue] {
        let bytes = Array(path.utf8)
        try store(bytes, at: Self.pathAddress)
        return [.i32(Self.pathAddress), .i32(UInt32(bytes.count))]
    }

    /// `path_open` beneath `directory`; returns the errno and the new descriptor.
    func open(
        _ path: String, in directory: UInt32 = 3, lookup: UInt32 = 0, oflags: UInt16 = 0,
        rights: UInt64 = WASIABI.Rights.all, fdflags: UInt16 = 0
    ) throws -> (WASIErrno, UInt32) {
        let errno = try call("path_open", [.i32(directory), .i32(lookup)] + (try pathArguments(path)) + [
            .i32(UInt32(oflags)), .i64(rights), .i64(rights), .i32(UInt32(fdflags)), .i32(Self.resultAddress),
        ])
        return (errno, try u32(at: Self.resultAddress))
    }

    /// Creates (or truncates) `path` for reading and writing.
    func create(_ path: String, in directory: UInt32 = 3) throws -> (WASIErrno, UInt32) {
        try open(path, in: directory, oflags: WASIABI.OFlags.creat | WASIABI.OFlags.trunc)
    }

    /// `fd_write` of `data`; returns the errno and the count written.
    func write(_ fd: UInt32, _ data: [UInt8]) throws -> (WASIErrno, UInt32) {
        try store(data, at: Self.dataAddress)
        try memory.view.store(Self.dataAddress, at: Self.iovecAddress)
        try memory.view.store(UInt32(data.count), at: Self.iovecAddress + 4)
        let errno = try call("fd_write", [.i32(fd), .i32(Self.iovecAddress), .i32(1), .i32(Self.resultAddress)])
        return (errno, try u32(at: Self.resultAddress))
    }

    /// `fd_read` of up to `count` bytes; returns the errno and the bytes read.
    func read(_ fd: UInt32, count: UInt32) throws -> (WASIErrno, [UInt8]) {
        try memory.view.store(Self.dataAddress, at: Self.iovecAddress)
        try memory.view.store(count, at: Self.iovecAddress + 4)
        let errno = try call("fd_read", [.i32(fd), .i32(Self.iovecAddress), .i32(1), .i32(Self.resultAddress)])
        let read = try u32(at: Self.resultAddress)
        return (errno, errno == .success ? try bytes(at: Self.dataAddress, count: read) : [])
    }

    /// A single-name path operation such as `path_create_directory` or `path_unlink_file`.
    func pathCall(_ name: String, _ path: String, in directory: UInt32 = 3) throws -> WASIErrno {
        try call(name, [.i32(directory)] + (try pathArguments(path)))
    }
}

/// What the WASI tests ask of a test folder beyond the shared ``TemporaryDirectory``.
extension TemporaryDirectory {
    func fileSize(_ name: String) throws -> UInt64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.appendingPathComponent(name).path)
        return (attributes[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// Whether `name` exists, a dangling symlink included.
    func exists(_ name: String) -> Bool {
        let path = url.appendingPathComponent(name).path
        return FileManager.default.fileExists(atPath: path)
            || (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil
    }

    func symlink(_ name: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: url.appendingPathComponent(name).path, withDestinationPath: target)
    }

    /// The storage cost model a context gives this directory (block size from its file system).
    var storageCost: StorageCost {
        StorageCost.forDirectories([HostFD(Glibc.open(path, O_RDONLY | O_DIRECTORY))])
    }

    /// What the file system really spends below this directory (not counting the directory
    /// itself): allocated blocks (`st_blocks`) of every entry, each inode once, symlinks not
    /// followed.
    func diskUsage() throws -> UInt64 {
        var seen = Set<UInt64>()
        func walk(_ directory: String) throws -> UInt64 {
            var total: UInt64 = 0
            for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
                let child = directory + "/" + name
                var info = Glibc.stat()
                guard lstat(child, &info) == 0 else { continue }
                if seen.insert(UInt64(info.st_ino)).inserted { total += UInt64(info.st_blocks) * 512 }
                if info.st_mode & S_IFMT == S_IFDIR { total += try walk(child) }
            }
            return total
        }
        return try walk(path)
    }
}
