import Foundation
import StationTestSupport
import SandboxEngine
import Testing
@testable import WASIHost

@Suite struct WASIContextTests {
    @Test func providesEveryPreviewOneFunctionWithItsSignature() throws {
        let context = try WASIContext(configuration: WASIConfiguration())
        let functions = context.hostFunctions()
        #expect(functions.count == 46)
        #expect(Set(functions.map(\.name)) == Set(WASIContext.functionNames))
        #expect(functions.allSatisfy { $0.module == "wasi_snapshot_preview1" })
        let byName = Dictionary(uniqueKeysWithValues: functions.map { ($0.name, $0.signature) })
        #expect(byName["path_open"] == FunctionSignature(parameters: [.i32, .i32, .i32, .i32, .i32, .i64, .i64, .i32, .i32], results: [.i32]))
        #expect(byName["fd_seek"] == FunctionSignature(parameters: [.i32, .i64, .i32, .i32], results: [.i32]))
        #expect(byName["proc_exit"] == FunctionSignature(parameters: [.i32], results: []))
        #expect(byName["clock_time_get"] == FunctionSignature(parameters: [.i32, .i64, .i32], results: [.i32]))
        #expect(byName["sched_yield"] == FunctionSignature(parameters: [], results: [.i32]))
    }

    @Test func aMissingPreopenIsAClearError() {
        let configuration = WASIConfiguration(preopens: [WASIPreopen(hostPath: "/nonexistent/station-wasi", guestPath: "/data")])
        #expect(throws: WASIError.cannotOpenPreopen(hostPath: "/nonexistent/station-wasi", reason: "no such directory")) {
            try WASIContext(configuration: configuration)
        }
    }

    @Test func procRaiseReturnsENOSYS() throws {
        let harness = try WASIHarness(WASIConfiguration())
        #expect(try harness.call("proc_raise", [.i32(9)]) == .nosys)
    }

    /// No descriptor is a socket: `EBADF` for an unknown one, `ENOTSOCK` otherwise (as Wasmtime).
    @Test func socketCallsSayBadDescriptorOrNotASocket() throws {
        let harness = try WASIHarness(WASIConfiguration())
        for fd: UInt32 in [1, 99] {
            let expected: WASIErrno = fd == 99 ? .badf : .notsock
            #expect(try harness.call("sock_accept", [.i32(fd), .i32(0), .i32(0)]) == expected)
            #expect(try harness.call("sock_recv", [.i32(fd), .i32(0), .i32(0), .i32(0), .i32(0), .i32(0)]) == expected)
            #expect(try harness.call("sock_send", [.i32(fd), .i32(0), .i32(0), .i32(0), .i32(0)]) == expected)
            #expect(try harness.call("sock_shutdown", [.i32(fd), .i32(3)]) == expected)
        }
        #expect(try harness.call("sock_shutdown", [.i32(1), .i32(4)]) == .inval)
    }

    @Test func badPointersGiveEFAULT() throws {
        let tree = try TemporaryDirectory()
        let harness = try WASIHarness(WASIConfiguration(arguments: ["prog"], preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".")]))
        let outside: UInt32 = 0xFFFF_FFF0
        #expect(try harness.call("args_sizes_get", [.i32(outside), .i32(0)]) == .fault)
        #expect(try harness.call("fd_write", [.i32(1), .i32(outside), .i32(1), .i32(0)]) == .fault)
        #expect(try harness.call("random_get", [.i32(65_000), .i32(1000)]) == .fault)
        #expect(try harness.call("path_open", [.i32(3), .i32(0), .i32(outside), .i32(100), .i32(0), .i64(0), .i64(0), .i32(0), .i32(0)]) == .fault)
        #expect(try harness.call("clock_time_get", [.i32(0), .i64(0), .i32(65_533)]) == .fault)
        // An iovec whose buffer runs past the end of memory.
        try harness.memory.view.store(UInt32(65_000), at: 256)
        try harness.memory.view.store(UInt32(10_000), at: 260)
        #expect(try harness.call("fd_write", [.i32(1), .i32(256), .i32(1), .i32(512)]) == .fault)
    }

    @Test func argumentsAndEnvironment() throws {
        let harness = try WASIHarness(WASIConfiguration(arguments: ["prog", "a b"], environment: [("K", "V"), ("EMPTY", "")]))
        #expect(try harness.call("args_sizes_get", [.i32(100), .i32(104)]) == .success)
        #expect(try harness.u32(at: 100) == 2)
        #expect(try harness.u32(at: 104) == 9)
        #expect(try harness.call("args_get", [.i32(200), .i32(300)]) == .success)
        #expect(try harness.u32(at: 200) == 300)
        #expect(try harness.u32(at: 204) == 305)
        #expect(try harness.bytes(at: 300, count: 9) == Array("prog\u{0}a b\u{0}".utf8))
        #expect(try harness.call("environ_sizes_get", [.i32(100), .i32(104)]) == .success)
        #expect(try harness.u32(at: 104) == 11)
        #expect(try harness.call("environ_get", [.i32(200), .i32(300)]) == .success)
        #expect(try harness.bytes(at: 300, count: 11) == Array("K=V\u{0}EMPTY=\u{0}".utf8))
    }

    @Test func clocksAndRandom() throws {
        let harness = try WASIHarness(WASIConfiguration())
        #expect(try harness.call("clock_time_get", [.i32(0), .i64(1), .i32(100)]) == .success)
        let realtime = try harness.u64(at: 100)
        #expect(realtime > 1_700_000_000 * 1_000_000_000)
        #expect(try harness.call("clock_time_get", [.i32(1), .i64(1), .i32(100)]) == .success)
        let first = try harness.u64(at: 100)
        #expect(try harness.call("clock_time_get", [.i32(1), .i64(1), .i32(100)]) == .success)
        #expect(try harness.u64(at: 100) >= first)
        for clock: UInt32 in 0...3 {
            #expect(try harness.call("clock_res_get", [.i32(clock), .i32(100)]) == .success)
            #expect(try harness.u64(at: 100) > 0)
        }
        #expect(try harness.call("clock_time_get", [.i32(9), .i64(1), .i32(100)]) == .inval)
        #expect(try harness.call("random_get", [.i32(1000), .i32(64)]) == .success)
        #expect(try harness.bytes(at: 1000, count: 64) != [UInt8](repeating: 0, count: 64))
    }

    @Test func procExitThrowsTheCode() throws {
        let harness = try WASIHarness(WASIConfiguration())
        #expect(throws: WASIExit(code: 3)) { try harness.invoke("proc_exit", [.i32(3)]) }
    }

    @Test func readingStandardInputWhenNoneIsGivenIsEndOfFile() throws {
        let harness = try WASIHarness(WASIConfiguration(stdin: .none))
        let (errno, bytes) = try harness.read(0, count: 100)
        #expect(errno == .success)
        #expect(bytes.isEmpty)
    }

    @Test func standardInputFromBytes() throws {
        let harness = try WASIHarness(WASIConfiguration(stdin: .bytes(Array("hello".utf8))))
        #expect(try harness.read(0, count: 3).1 == Array("hel".utf8))
        #expect(try harness.read(0, count: 10).1 == Array("lo".utf8))
        #expect(try harness.read(0, count: 10).1 == [])
    }

    @Test func aBlockedStandardInputReadEndsAtTheGovernorsDeadline() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let governor = ExecutionGovernor(timeout: .milliseconds(100))
        let harness = try WASIHarness(WASIConfiguration(stdin: .fileDescriptor(fds[0]), governor: governor))
        #expect {
            _ = try harness.read(0, count: 10)
        } throws: { error in
            if case SandboxError.limitExceeded(.timeout, _) = error { return true }
            return false
        }
    }

    @Test func standardInputFromADescriptor() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        _ = Array("piped".utf8).withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
        close(fds[1])
        let harness = try WASIHarness(WASIConfiguration(stdin: .fileDescriptor(fds[0])))
        #expect(try harness.read(0, count: 64).1 == Array("piped".utf8))
        #expect(try harness.read(0, count: 64).1 == [])
    }

    @Test func preopensAreAnnounced() throws {
        let tree = try TemporaryDirectory()
        let harness = try WASIHarness(WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path, guestPath: "/data")]))
        #expect(try harness.call("fd_prestat_get", [.i32(3), .i32(100)]) == .success)
        #expect(try harness.u8(at: 100) == 0)
        #expect(try harness.u32(at: 104) == 5)
        #expect(try harness.call("fd_prestat_dir_name", [.i32(3), .i32(200), .i32(5)]) == .success)
        #expect(try harness.bytes(at: 200, count: 5) == Array("/data".utf8))
        #expect(try harness.call("fd_prestat_get", [.i32(4), .i32(100)]) == .badf)
        #expect(try harness.call("fd_prestat_get", [.i32(1), .i32(100)]) == .badf)
    }

    @Test func closeDropsEveryDescriptor() throws {
        let tree = try TemporaryDirectory()
        let harness = try WASIHarness(WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".")]))
        harness.context.close()
        #expect(try harness.write(1, [1]).0 == .badf)
        #expect(try harness.open("x", oflags: WASIABI.OFlags.creat).0 == .badf)
    }

    @Test func readOnlyPreopensRefuseChanges() throws {
        let tree = try TemporaryDirectory()
        try tree.writeFile("r.txt", "read me")
        let harness = try WASIHarness(WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".", readOnly: true)]))
        #expect(try harness.open("r.txt", rights: WASIABI.Rights.fdRead).0 == .success)
        #expect(try harness.open("r.txt").0 == .rofs)
        #expect(try harness.create("new").0 == .rofs)
        #expect(try harness.pathCall("path_unlink_file", "r.txt") == .rofs)
        #expect(try harness.pathCall("path_create_directory", "d") == .rofs)
        #expect(tree.exists("r.txt"))
    }
}
