import Foundation
import StationTestSupport
import Testing

/// Runs the real `station` binary built next to the test bundle, the way a person would.
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum StationBinary {
    static let packageRoot = packageRootFolder

    /// `station` sits in the same build folder as the test bundle.
    static var url: URL {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = bundle.deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("station")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/station")
    }

    /// Runs station with `arguments`; `environment` entries are set on top of this process's
    /// environment (an empty value removes the variable).
    static func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> CLIResult {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        if !environment.isEmpty {
            var merged = ProcessInfo.processInfo.environment
            for (name, value) in environment { merged[name] = value.isEmpty ? nil : value }
            process.environment = merged
        }
        process.currentDirectoryURL = packageRoot
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLIResult(
            status: process.terminationStatus,
            stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// Starts station with `arguments` in the package root (see ``PipedProcess/start``), the
    /// progress bar off unless `environment` turns it on.
    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> (process: Process, stdout: Pipe, stderr: Pipe) {
        var merged: [String: String?] = ["STATION_PROGRESS": nil]
        for (name, value) in environment { merged[name] = value }
        return try PipedProcess.start(url, arguments, in: packageRoot, environment: merged)
    }

    /// Runs station as ``start(_:environment:)`` does, to its end: status, raw stdout, stderr.
    static func runPiped(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: Data, stderr: String) {
        PipedProcess.finish(try start(arguments, environment: environment))
    }

    static func writeTemporary(_ text: String, name: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("station-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}

/// A child process with stdout and stderr piped and stdin empty.
enum PipedProcess {
    /// Starts `executable` in `folder`; `environment` entries are set on top of this process's
    /// environment (nil removes one).
    static func start(_ executable: URL, _ arguments: [String], in folder: URL,
                      environment: [String: String?] = [:]) throws -> (process: Process, stdout: Pipe, stderr: Pipe) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = folder
        var merged = ProcessInfo.processInfo.environment
        for (name, value) in environment { merged[name] = value }
        process.environment = merged
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return (process, out, err)
    }

    /// Waits for a started process, draining both pipes at once so that neither can fill up and
    /// block it: status, raw stdout, stderr.
    static func finish(_ started: (process: Process, stdout: Pipe, stderr: Pipe)) -> (status: Int32, stdout: Data, stderr: String) {
        let errors = PipeDrain(started.stderr)
        let stdout = started.stdout.fileHandleForReading.readDataToEndOfFile()
        started.process.waitUntilExit()
        return (started.process.terminationStatus, stdout, String(decoding: errors.wait(), as: UTF8.self))
    }
}

/// Reads a pipe to its end on a thread of its own.
final class PipeDrain: @unchecked Sendable {
    private let done = DispatchGroup()
    private var data = Data()

    init(_ pipe: Pipe) {
        done.enter()
        Thread { [self] in
            data = pipe.fileHandleForReading.readDataToEndOfFile()
            done.leave()
        }.start()
    }

    /// Everything the pipe carried (waits for its end).
    func wait() -> Data {
        done.wait()
        return data
    }
}

extension CLI {
@Suite("station command line")
struct StationCLITests {
    @Test("the README's example runs on the embedded engine")
    func helloOnWasmKit() throws {
        let result = try StationBinary.run(["run", "--engine", "wasmkit", "examples/wat/hello.wat", "Alice"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout == "Hello from a Station module!\nargument: Alice\n")
    }

    @Test("a runaway loop ends with status 124 and names the limit", arguments: ["wasmkit", "wasmtime"])
    func timeout(engine: String) throws {
        let path = try StationBinary.writeTemporary("(module (func (export \"_start\") (loop $l (br $l))))", name: "spin.wat")
        let result = try StationBinary.run(["run", "--engine", engine, "--timeout", "200ms", path])
        #expect(result.status == 124)
        #expect(result.stderr == "station: spin: limit hit: timeout (wall-clock limit of 200 ms reached)\n")
    }

    @Test("a trap ends with status 134 and names the trap and function", arguments: ["wasmkit", "wasmtime"])
    func trap(engine: String) throws {
        let path = try StationBinary.writeTemporary("(module (func $boom unreachable) (func (export \"_start\") (call $boom)))", name: "boom.wat")
        let result = try StationBinary.run(["run", "--engine", engine, path])
        #expect(result.status == 134)
        #expect(result.stderr.hasPrefix("station: boom: trap: unreachable instruction executed"), "stderr: \(result.stderr)")
    }

    @Test("an invalid module ends with status 65 and a byte offset")
    func invalidModule() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("station-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("cut.wasm").path
        // A module header followed by a type section that claims more bytes than exist.
        try Data([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, 0x01, 0x7F, 0x01]).write(to: URL(fileURLWithPath: path))
        let result = try StationBinary.run(["run", path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("invalid module"))
        #expect(result.stderr.contains("offset"), "stderr: \(result.stderr)")
    }

    @Test("a file that is not WebAssembly is refused with what was found")
    func notWasm() throws {
        let result = try StationBinary.run(["run", "/bin/sh"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("7f 45 4c 46"), "stderr: \(result.stderr)")
    }

    @Test("a missing file ends with status 66")
    func missingFile() throws {
        let result = try StationBinary.run(["run", "/nonexistent/module.wasm"])
        #expect(result.status == 66)
        #expect(result.stderr.contains("cannot read module"))
    }

    @Test("a missing import ends with status 69 and names it")
    func missingImport() throws {
        let path = try StationBinary.writeTemporary("(module (import \"env\" \"magic\" (func)) (func (export \"_start\")))", name: "needs.wat")
        let result = try StationBinary.run(["run", path])
        #expect(result.status == 69)
        #expect(result.stderr.contains("env.magic"))
    }

    @Test("proc_exit's code becomes the exit status")
    func exitCode() throws {
        let path = try StationBinary.writeTemporary("""
            (module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (func (export "_start") (call $exit (i32.const 7))))
            """, name: "seven.wat")
        let result = try StationBinary.run(["run", path])
        #expect(result.status == 7)
        #expect(result.stderr.isEmpty)
    }

    @Test("--invoke prints the function's results")
    func invoke() throws {
        let path = try StationBinary.writeTemporary("(module (func (export \"mul\") (param i64 i64) (result i64) (i64.mul (local.get 0) (local.get 1))))", name: "mul.wat")
        let result = try StationBinary.run(["run", "--invoke", "mul", path, "6", "-7"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout == "-42\n")
    }

    @Test("bad flag values are usage errors that say what is expected")
    func usage() throws {
        let memory = try StationBinary.run(["run", "--memory", "lots", "examples/wat/hello.wat"])
        #expect(memory.status == 64)
        #expect(memory.stderr.contains("64MiB"))
        let cpu = try StationBinary.run(["run", "--cpu", "250", "examples/wat/hello.wat"])
        #expect(cpu.status == 64)
        let engine = try StationBinary.run(["run", "--engine", "v8", "examples/wat/hello.wat"])
        #expect(engine.status == 64)
    }

    @Test("inspect lists imports, exports and capabilities")
    func inspect() throws {
        let result = try StationBinary.run(["inspect", "examples/wat/hello.wat"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("wasi_snapshot_preview1.fd_write: func (i32, i32, i32, i32) -> (i32)"))
        #expect(result.stdout.contains("_start: func"))
        #expect(result.stdout.contains("arguments and environment (WASI)"))
    }

    @Test("inspect reports station imports as provided, with the grant each needs, and flags ones that cannot link")
    func inspectStationImports() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-station-\(UUID().uuidString).wat")
        defer { try? FileManager.default.removeItem(at: file) }
        try """
        (module
          (import "station" "kv_get" (func (param i32 i32 i32 i32) (result i32)))
          (import "station" "http_request" (func (param i32 i32 i32 i32 i32 i32 i32 i32 i64) (result i32)))
          (import "station" "job_completed" (func (result i32)))
          (import "station" "kv_put" (func (param i32) (result i32)))
          (import "station" "teleport" (func (result i32)))
          (memory (export "memory") 1))
        """.write(to: file, atomically: true, encoding: .utf8)
        let result = try StationBinary.run(["inspect", file.path])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("key-value store (station ABI; needs a key-value store: station run --kv FILE"), "\(result.stdout)")
        #expect(result.stdout.contains("HTTP (station ABI; needs network access: station run --allow-net PATTERN"))
        #expect(result.stdout.contains("station core, events and identity (provided to every module)"))
        #expect(result.stdout.contains("unknown station functions"))
        #expect(result.stdout.contains("station.teleport"))
        #expect(result.stdout.contains("wrong type"))
        #expect(!result.stdout.contains("not provided by this runtime"))
    }

    @Test("version names the engines")
    func version() throws {
        let result = try StationBinary.run(["version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("station "))
        #expect(result.stdout.contains("wasmkit 0.4.2"))
    }

    @Test("run --help teaches the limits and exit codes")
    func help() throws {
        let result = try StationBinary.run(["run", "--help"])
        #expect(result.status == 0)
        for word in ["--memory", "--timeout", "--cpu", "--dir", "124 limit hit", "256 MiB"] {
            #expect(result.stdout.contains(word), "help lacks \(word)")
        }
    }

    @Test("a module given --dir sees only that directory")
    func directories() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("station-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try "x".write(to: directory.appendingPathComponent("note.txt"), atomically: true, encoding: .utf8)
        let wasm = StationBinary.packageRoot.appendingPathComponent(".build-examples/hello.wasm").path
        guard FileManager.default.fileExists(atPath: wasm) else {
            let build = Process()
            build.executableURL = URL(fileURLWithPath: "/bin/bash")
            build.arguments = [StationBinary.packageRoot.appendingPathComponent("scripts/build-examples").path]
            try build.run()
            build.waitUntilExit()
            try #require(build.terminationStatus == 0, "the C examples did not build: run bash scripts/install-extras")
            return try directories()
        }
        let result = try StationBinary.run(["run", "--dir", "\(directory.path)::/data", wasm, "Zoe"])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout == "Hello from C on Station!\nargument: Zoe\nfile: /data/note.txt\n")
    }
}
}
