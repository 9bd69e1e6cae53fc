import Foundation
import StationTestSupport
import Testing
@testable import WASIHost

@Suite struct WASIStatePathsTests {
    let tree: TemporaryDirectory
    let harness: WASIHarness

    init() throws {
        tree = try TemporaryDirectory()
        harness = try WASIHarness(WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".")]))
    }

    @Test func createAndRemoveDirectories() throws {
        #expect(try harness.pathCall("path_create_directory", "a") == .success)
        #expect(try harness.pathCall("path_create_directory", "a/b") == .success)
        #expect(try harness.pathCall("path_create_directory", "a") == .exist)
        #expect(try harness.pathCall("path_remove_directory", "a") == .notempty)
        #expect(try harness.pathCall("path_remove_directory", "a/b") == .success)
        #expect(try harness.pathCall("path_unlink_file", "a") == .isdir)
        #expect(try harness.pathCall("path_remove_directory", "a") == .success)
        #expect(!tree.exists("a"))
        #expect(try harness.pathCall("path_create_directory", "slashed/") == .success)
        #expect(try harness.open("slashed/", rights: WASIABI.Rights.fdReaddir).0 == .success)
        try tree.writeFile("plain", "x")
        #expect(try harness.open("plain/").0 == .notdir)
        #expect(try harness.pathCall("path_unlink_file", "plain/") == .notdir)
    }

    @Test func exclusiveCreateAndDirectoryFlag() throws {
        #expect(try harness.open("f", oflags: WASIABI.OFlags.creat | WASIABI.OFlags.excl).0 == .success)
        #expect(try harness.open("f", oflags: WASIABI.OFlags.creat | WASIABI.OFlags.excl).0 == .exist)
        #expect(try harness.open("f", oflags: WASIABI.OFlags.directory).0 == .notdir)
        #expect(try harness.open("missing").0 == .noent)
        try tree.makeDirectory("d")
        let (errno, fd) = try harness.open("d", oflags: WASIABI.OFlags.directory, rights: WASIABI.Rights.fdReaddir | WASIABI.Rights.pathOpen)
        #expect(errno == .success)
        try tree.writeFile("d/inner", "x")
        #expect(try harness.open("inner", in: fd, rights: WASIABI.Rights.fdRead).0 == .success)
        #expect(try harness.open("../f", in: fd).0 == .notcapable)
    }

    @Test func filestatOfPathsAndDescriptors() throws {
        try tree.writeFile("five", "12345")
        #expect(try harness.call("path_filestat_get", [.i32(3), .i32(0)] + (try harness.pathArguments("five")) + [.i32(2000)]) == .success)
        #expect(try harness.u8(at: 2016) == WASIABI.FileType.regularFile)
        #expect(try harness.u64(at: 2024) == 1)
        #expect(try harness.u64(at: 2032) == 5)
        #expect(try harness.call("fd_filestat_get", [.i32(3), .i32(2000)]) == .success)
        #expect(try harness.u8(at: 2016) == WASIABI.FileType.directory)
        #expect(try harness.call("fd_filestat_get", [.i32(1), .i32(2000)]) == .success)
        #expect(try harness.u8(at: 2016) == WASIABI.FileType.characterDevice)
    }

    @Test func setTimes() throws {
        try tree.writeFile("t", "x")
        let when: UInt64 = 1_000_000_000_123_000_000
        let flags = UInt32(WASIABI.FSTFlags.mtim)
        #expect(try harness.call("path_filestat_set_times", [.i32(3), .i32(0)] + (try harness.pathArguments("t")) + [.i64(0), .i64(when), .i32(flags)]) == .success)
        #expect(try harness.call("path_filestat_get", [.i32(3), .i32(0)] + (try harness.pathArguments("t")) + [.i32(2000)]) == .success)
        #expect(try harness.u64(at: 2048) == when)
        let both = UInt32(WASIABI.FSTFlags.mtim | WASIABI.FSTFlags.mtimNow)
        #expect(try harness.call("path_filestat_set_times", [.i32(3), .i32(0)] + (try harness.pathArguments("t")) + [.i64(0), .i64(when), .i32(both)]) == .inval)
    }

    @Test func readlinkAndSymlink() throws {
        let target = Array("some/where".utf8)
        try harness.store(target, at: 4096)
        #expect(try harness.call("path_symlink", [.i32(4096), .i32(UInt32(target.count)), .i32(3)] + (try harness.pathArguments("ln"))) == .success)
        #expect(try harness.call("path_readlink", [.i32(3)] + (try harness.pathArguments("ln")) + [.i32(5000), .i32(64), .i32(600)]) == .success)
        #expect(try harness.u32(at: 600) == UInt32(target.count))
        #expect(try harness.bytes(at: 5000, count: UInt32(target.count)) == target)
        #expect(try harness.call("path_filestat_get", [.i32(3), .i32(0)] + (try harness.pathArguments("ln")) + [.i32(2000)]) == .success)
        #expect(try harness.u8(at: 2016) == WASIABI.FileType.symbolicLink)
    }

    @Test func readdirListsEntriesInPieces() throws {
        try tree.writeFile("alpha", "1")
        try tree.makeDirectory("beta")
        var names: [String: UInt8] = [:]
        var cookie: UInt64 = 0
        for _ in 0..<20 {
            #expect(try harness.call("fd_readdir", [.i32(3), .i32(10_000), .i32(40), .i64(cookie), .i32(600)]) == .success)
            let used = try harness.u32(at: 600)
            var offset: UInt32 = 0
            while offset + 24 <= used {
                let next = try harness.u64(at: 10_000 + offset)
                let length = try harness.u32(at: 10_000 + offset + 16)
                let type = try harness.u8(at: 10_000 + offset + 20)
                guard offset + 24 + length <= used else { break }
                names[String(decoding: try harness.bytes(at: 10_000 + offset + 24, count: length), as: UTF8.self)] = type
                cookie = next
                offset += 24 + length
            }
            if used < 40 { break }
        }
        #expect(names["alpha"] == WASIABI.FileType.regularFile)
        #expect(names["beta"] == WASIABI.FileType.directory)
        #expect(names["."] == WASIABI.FileType.directory)
        #expect(names.count == 4)
    }

    @Test func readdirCookiesWalkALargeDirectoryExactlyOnce() throws {
        for index in 0..<300 { try tree.writeFile("entry-\(index)", "") }
        var seen: [String] = []
        var cookie: UInt64 = 0
        for _ in 0..<2000 {
            #expect(try harness.call("fd_readdir", [.i32(3), .i32(10_000), .i32(64), .i64(cookie), .i32(600)]) == .success)
            let used = try harness.u32(at: 600)
            var offset: UInt32 = 0
            while offset + 24 <= used {
                let length = try harness.u32(at: 10_000 + offset + 16)
                guard offset + 24 + length <= used else { break }
                seen.append(String(decoding: try harness.bytes(at: 10_000 + offset + 24, count: length), as: UTF8.self))
                cookie = try harness.u64(at: 10_000 + offset)
                offset += 24 + length
            }
            if used < 64 { break }
        }
        let names = seen.filter { $0.hasPrefix("entry-") }
        #expect(names.count == 300)
        #expect(Set(names).count == 300)
    }
}
