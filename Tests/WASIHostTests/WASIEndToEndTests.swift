import Foundation
import StationTestSupport
import SandboxEngine
import Testing
@testable import WASIHost

/// Real modules on real engines (every engine in ``EngineFactory/all``).
@Suite struct WASIEndToEndTests {
    /// Imports and memory shared by the WAT fixtures.
    static let prelude = """
        (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "path_open"
          (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
        (memory (export "memory") 2)
        """

    @Test(arguments: EngineFactory.all)
    func helloWorld(engine: EngineFactory) throws {
        let wasm = try GuestRunner.wat("""
            (module \(Self.prelude)
              (data (i32.const 100) "hello, wasi\\n")
              (func (export "_start")
                (i32.store (i32.const 0) (i32.const 100))
                (i32.store (i32.const 4) (i32.const 12))
                (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
            """)
        let stdout = CapturingSink(limit: 1024)
        #expect(try GuestRunner.run(wasm, on: engine, configuration: WASIConfiguration(stdout: stdout)) == 0)
        #expect(stdout.text == "hello, wasi\n")
    }

    @Test(arguments: EngineFactory.all)
    func badPointerIsEFAULTNotACrash(engine: EngineFactory) throws {
        let wasm = try GuestRunner.wat("""
            (module \(Self.prelude)
              (func (export "_start")
                (call $proc_exit (call $fd_write (i32.const 1) (i32.const 0xfffffff0) (i32.const 1) (i32.const 8)))))
            """)
        #expect(try GuestRunner.run(wasm, on: engine, configuration: WASIConfiguration()) == 21)
    }

    @Test(arguments: EngineFactory.all)
    func readingStdinWithNoneGivenIsImmediateEOF(engine: EngineFactory) throws {
        // Exit status = errno * 1000 + bytes read: 0 means success and end-of-file.
        let wasm = try GuestRunner.wat("""
            (module \(Self.prelude)
              (func (export "_start") (local $errno i32)
                (i32.store (i32.const 0) (i32.const 100))
                (i32.store (i32.const 4) (i32.const 64))
                (i32.store (i32.const 8) (i32.const 777))
                (local.set $errno (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
                (call $proc_exit (i32.add (i32.mul (local.get $errno) (i32.const 1000)) (i32.load (i32.const 8))))))
            """)
        #expect(try GuestRunner.run(wasm, on: engine, configuration: WASIConfiguration(stdin: .none)) == 0)
    }

    @Test(arguments: EngineFactory.all)
    func printingMegabytesStaysBounded(engine: EngineFactory) throws {
        // 256 writes of 64 KiB = 16 MiB of output.
        let wasm = try GuestRunner.wat("""
            (module \(Self.prelude)
              (func (export "_start") (local $i i32)
                (i32.store (i32.const 0) (i32.const 1024))
                (i32.store (i32.const 4) (i32.const 65536))
                (loop $again
                  (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br_if $again (i32.lt_u (local.get $i) (i32.const 256))))))
            """)
        let stdout = CapturingSink(limit: 64 * 1024)
        #expect(try GuestRunner.run(wasm, on: engine, configuration: WASIConfiguration(stdout: stdout)) == 0)
        #expect(stdout.bytes.count == 64 * 1024)
        #expect(stdout.totalByteCount == 16 << 20)
    }

    @Test(arguments: EngineFactory.all)
    func dotDotEscapeIsRefused(engine: EngineFactory) throws {
        let tree = try TemporaryDirectory()
        try tree.makeDirectory("root")
        try tree.writeFile("secret.txt", "secret")
        let wasm = try GuestRunner.wat("""
            (module \(Self.prelude)
              (data (i32.const 100) "../secret.txt")
              (func (export "_start")
                (call $proc_exit (call $path_open (i32.const 3) (i32.const 1) (i32.const 100) (i32.const 13)
                  (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 8)))))
            """)
        let configuration = WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path + "/root", guestPath: "/data")])
        #expect(try GuestRunner.run(wasm, on: engine, configuration: configuration) == UInt32(WASIErrno.notcapable.rawValue))
    }

    @Test(arguments: EngineFactory.all)
    func aWritePastTheQuotaLeavesNothingBeyondIt(engine: EngineFactory) throws {
        let tree = try TemporaryDirectory()
        // Create "f" (oflags creat|trunc, rights fd_write), then write 8000 bytes at once.
        let wasm = try GuestRunner.wat("""
            (module \(Self.prelude)
              (data (i32.const 100) "f")
              (func (export "_start") (local $errno i32)
                (local.set $errno (call $path_open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 1)
                  (i32.const 9) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 16)))
                (if (local.get $errno) (then (call $proc_exit (i32.const 200))))
                (i32.store (i32.const 0) (i32.const 1024))
                (i32.store (i32.const 4) (i32.const 8000))
                (call $proc_exit (call $fd_write (i32.load (i32.const 16)) (i32.const 0) (i32.const 1) (i32.const 8)))))
            """)
        let configuration = WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path, guestPath: "/data")], storageQuota: 4096)
        #expect(try GuestRunner.run(wasm, on: engine, configuration: configuration) == UInt32(WASIErrno.dquot.rawValue))
        #expect(try tree.fileSize("f") == 0)
    }

    @Test(arguments: EngineFactory.all)
    func aLongSleepEndsAtTheDeadline(engine: EngineFactory) throws {
        // poll_oneoff on a one-hour relative monotonic clock.
        let wasm = try GuestRunner.wat("""
            (module \(Self.prelude)
              (func (export "_start")
                (i32.store8 (i32.const 8) (i32.const 0))
                (i32.store (i32.const 16) (i32.const 1))
                (i64.store (i32.const 24) (i64.const 3600000000000))
                (drop (call $poll_oneoff (i32.const 0) (i32.const 100) (i32.const 1) (i32.const 200)))))
            """)
        let governor = ExecutionGovernor(timeout: .milliseconds(200))
        #expect {
            _ = try GuestRunner.run(wasm, on: engine, configuration: WASIConfiguration(), governor: governor)
        } throws: { error in
            if case SandboxError.limitExceeded(.timeout, _) = error { return true }
            return false
        }
    }

    // MARK: C guests (wasi-libc)

    @Test(arguments: EngineFactory.all)
    func fileSystemTourInC(engine: EngineFactory) throws {
        let wasm = try GuestRunner.cGuest("fs_tour")
        let tree = try TemporaryDirectory()
        let stdout = CapturingSink(limit: 1 << 16)
        let configuration = WASIConfiguration(
            arguments: ["fs_tour", "tour"], environment: [("GREETING", "hi")],
            preopens: [WASIPreopen(hostPath: tree.path, guestPath: "/data")], stdout: stdout)
        let status = try GuestRunner.run(wasm, on: engine, configuration: configuration)
        #expect(status == 0, "\(stdout.text)")
        #expect(stdout.text.contains("0 failures"))
        #expect(!stdout.text.contains("FAIL"))
    }

    @Test(arguments: EngineFactory.all)
    func quotaFillInC(engine: EngineFactory) throws {
        let wasm = try GuestRunner.cGuest("quota_fill")
        let tree = try TemporaryDirectory()
        let stdout = CapturingSink(limit: 4096)
        let quota: UInt64 = 100_000
        let configuration = WASIConfiguration(
            preopens: [WASIPreopen(hostPath: tree.path, guestPath: "/data")], stdout: stdout, storageQuota: quota)
        #expect(try GuestRunner.run(wasm, on: engine, configuration: configuration) == 0, "\(stdout.text)")
        let size = try tree.fileSize("fill.bin")
        // Whole 1 KiB chunks only, and never beyond the quota: the file's name and inode plus its
        // size in whole blocks; one more chunk would need a block more than is left.
        let cost = tree.storageCost
        #expect(size % 1024 == 0)
        #expect(cost.newFile + cost.fileContent(size) <= quota)
        #expect(cost.newFile + cost.fileContent(size + 1024) > quota)
        #expect(stdout.text.contains("errno \(WASIErrno.dquot.rawValue)"))
    }

    @Test(arguments: EngineFactory.all)
    func escapesInC(engine: EngineFactory) throws {
        let wasm = try GuestRunner.cGuest("escape")
        let tree = try TemporaryDirectory()
        try tree.makeDirectory("root/sub")
        try tree.makeDirectory("outside")
        try tree.writeFile("outside/secret.txt", "secret")
        try tree.symlink("root/planted", to: "../outside")
        try tree.symlink("root/planted-absolute", to: tree.path + "/outside/secret.txt")
        let stdout = CapturingSink(limit: 4096)
        let configuration = WASIConfiguration(
            preopens: [WASIPreopen(hostPath: tree.path + "/root", guestPath: "/data")], stdout: stdout)
        #expect(try GuestRunner.run(wasm, on: engine, configuration: configuration) == 0, "\(stdout.text)")
        #expect(!stdout.text.contains("ESCAPED"))
        #expect(stdout.text.components(separatedBy: "refused").count - 1 == 6)
    }
}
