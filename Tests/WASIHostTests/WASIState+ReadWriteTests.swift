import Foundation
import StationTestSupport
import Testing
@testable import WASIHost

@Suite struct WASIStateReadWriteTests {
    let tree: TemporaryDirectory
    let harness: WASIHarness

    init() throws {
        tree = try TemporaryDirectory()
        harness = try WASIHarness(WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".")]))
    }

    @Test func writeSeekTellAndRead() throws {
        let (errno, fd) = try harness.create("notes.txt")
        #expect(errno == .success)
        #expect(try harness.write(fd, Array("hello world".utf8)) == (.success, 11))
        #expect(try tree.readFile("notes.txt") == "hello world")
        #expect(try harness.call("fd_tell", [.i32(fd), .i32(600)]) == .success)
        #expect(try harness.u64(at: 600) == 11)
        #expect(try harness.call("fd_seek", [.i32(fd), .int64(-5), .i32(1), .i32(600)]) == .success)
        #expect(try harness.u64(at: 600) == 6)
        #expect(try harness.read(fd, count: 100).1 == Array("world".utf8))
        #expect(try harness.call("fd_seek", [.i32(fd), .i64(0), .i32(7), .i32(600)]) == .inval)
        #expect(try harness.call("fd_seek", [.i32(1), .i64(0), .i32(0), .i32(600)]) == .spipe)
    }

    @Test func gatherWritesAndScatterReads() throws {
        let (_, fd) = try harness.create("vec.txt")
        try harness.store(Array("abc".utf8), at: 9000)
        try harness.store(Array("defg".utf8), at: 9100)
        for (index, (address, length)) in [(UInt32(9000), UInt32(3)), (9100, 4)].enumerated() {
            try harness.memory.view.store(address, at: 256 + UInt32(index) * 8)
            try harness.memory.view.store(length, at: 260 + UInt32(index) * 8)
        }
        #expect(try harness.call("fd_write", [.i32(fd), .i32(256), .i32(2), .i32(600)]) == .success)
        #expect(try harness.u32(at: 600) == 7)
        #expect(try tree.readFile("vec.txt") == "abcdefg")
        // pread at an offset, into two buffers.
        try harness.memory.view.store(UInt32(9200), at: 256)
        try harness.memory.view.store(UInt32(2), at: 260)
        try harness.memory.view.store(UInt32(9300), at: 264)
        try harness.memory.view.store(UInt32(10), at: 268)
        #expect(try harness.call("fd_pread", [.i32(fd), .i32(256), .i32(2), .i64(1), .i32(600)]) == .success)
        #expect(try harness.u32(at: 600) == 6)
        #expect(try harness.bytes(at: 9200, count: 2) == Array("bc".utf8))
        #expect(try harness.bytes(at: 9300, count: 4) == Array("defg".utf8))
    }

    @Test func appendModeWritesAtTheEnd() throws {
        try tree.writeFile("log.txt", "one\n")
        let (errno, fd) = try harness.open("log.txt", fdflags: WASIABI.FDFlags.append)
        #expect(errno == .success)
        _ = try harness.write(fd, Array("two\n".utf8))
        #expect(try tree.readFile("log.txt") == "one\ntwo\n")
        #expect(try harness.call("fd_fdstat_get", [.i32(fd), .i32(700)]) == .success)
        #expect(try harness.u8(at: 700) == WASIABI.FileType.regularFile)
        #expect(try harness.memory.view.load(UInt16.self, at: 702) == WASIABI.FDFlags.append)
    }

    @Test func writingToADirectoryOrReadingStdoutFails() throws {
        #expect(try harness.write(3, [1]).0 == .badf)
        #expect(try harness.read(1, count: 4).0 == .badf)
        #expect(try harness.write(0, [1]).0 == .badf)
        #expect(try harness.write(99, [1]).0 == .badf)
    }
}
