import Foundation
import Sandbox
import SandboxEngine
import Testing
import WASIHost
import WAT

/// Loading hostile modules: deeply nested text and binaries, loads that take too long, modules
/// that need a feature an engine lacks, and module files that are not regular files. The host must
/// never crash or hang; every refusal says what is wrong.
@Suite("Module loading")
struct ModuleLoadingTests {
    // MARK: Deep nesting

    /// `depth` nested folded blocks: `(block (block ... ))`.
    static func foldedBlocks(_ depth: Int) -> String {
        command(String(repeating: "(block ", count: depth) + String(repeating: ")", count: depth))
    }

    /// `depth` nested plain blocks: `block block ... end end`.
    static func plainBlocks(_ depth: Int) -> String {
        command(String(repeating: "block ", count: depth) + String(repeating: "end ", count: depth))
    }

    @Test("deeply nested folded text parses on the loading thread's large stack or is refused, never a crash", arguments: [5_000, 100_000])
    func deepFoldedText(depth: Int) throws {
        let text = Self.foldedBlocks(depth)
        if depth + 3 <= ModuleLoader.maximumTextNesting {
            #expect(try ModuleInfo(wasm: ModuleLoader.compileText(text)).definedFunctions == 1)
            return
        }
        let error = try #require(throws: SandboxError.self) { try ModuleLoader.compileText(text) }
        #expect(error.isInvalidModule)
        #expect("\(error)".contains("nests parentheses more than \(ModuleLoader.maximumTextNesting) deep"), "got \(error)")
        #expect(error.exitStatus == ExitStatus.invalidModule)
    }

    @Test("deep parentheses anywhere are refused too (not only instructions)")
    func deepParenthesesOutsideCode() throws {
        let text = "(module " + String(repeating: "(", count: 50_000) + String(repeating: ")", count: 50_001)
        let error = try #require(throws: SandboxError.self) { try ModuleLoader.compileText(text) }
        #expect("\(error)".contains("nests parentheses"), "got \(error)")
    }

    @Test("folded text just under the nesting limit parses")
    func foldedTextAtTheLimit() throws {
        // The module, the function and the folded instructions: three levels besides the blocks.
        let wasm = try ModuleLoader.compileText(Self.foldedBlocks(ModuleLoader.maximumTextNesting - 3))
        #expect(wasm.starts(with: [0x00, 0x61, 0x73, 0x6D]))
    }

    @Test("parentheses in strings and comments do not count as nesting")
    func parenthesesInStringsAndComments() throws {
        let many = String(repeating: "(", count: 20_000)
        let text = """
            (module
              ;; \(many)
              (; outer (; nested \(many) ;) still a comment \(many) ;)
              (memory 1)
              (data (i32.const 0) "\\"\(many)\\\\")
              (func (export "_start")))
            """
        let wasm = try ModuleLoader.compileText(text)
        #expect(try ModuleInfo(wasm: wasm).exports.map(\.name) == ["_start"])
    }

    @Test("deeply nested plain blocks in text parse (the parser keeps them in a list, not on the stack)", arguments: [5_000, 20_000])
    func deepPlainText(depth: Int) throws {
        // The parser does not recurse on plain blocks but slows down more than linearly with them:
        // 100,000 took over 30 s in a debug build, which the load-time limit bounds. Not run here:
        // an abandoned parse would go on burning a core in the background of the other tests.
        let wasm = try ModuleLoader.compileText(Self.plainBlocks(depth))
        #expect(try ModuleInfo(wasm: wasm).definedFunctions == 1)
    }

    @Test("a binary with deeply nested blocks validates and runs without overflowing the stack", arguments: allEngines)
    func deepBinary(engine: EngineChoice) async throws {
        let module = LoadedModule(name: "deep", wasm: Self.nestedBlocksBinary(depth: 100_000))
        let run = try await runModule(module, engine: engine)
        #expect(run.error == nil, "got \(String(describing: run.error))")
        #expect(run.outcome.exitStatus == 0)
    }

    /// A command module whose `_start` is `depth` nested empty blocks.
    static func nestedBlocksBinary(depth: Int) -> [UInt8] {
        var body: [UInt8] = [0x00]  // no locals
        body += Array(repeating: [0x02, 0x40], count: depth).flatMap { $0 }
        body += [UInt8](repeating: 0x0B, count: depth + 1)
        let code: [UInt8] = [0x01] + leb(body.count) + body
        var wasm: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]
        wasm += [0x01, 0x04, 0x01, 0x60, 0x00, 0x00]  // type 0: () -> ()
        wasm += [0x03, 0x02, 0x01, 0x00]  // function 0 has type 0
        wasm += [0x07, 0x0A, 0x01, 0x06] + Array("_start".utf8) + [0x00, 0x00]
        wasm += [0x0A] + leb(code.count) + code
        // A custom section that makes every module unique, so Wasmtime's compile cache never
        // answers for it (a cached compile loads in well under the limits these tests set).
        let name = Array("station-test".utf8), nonce = Array(UUID().uuidString.utf8)
        let custom = leb(name.count) + name + nonce
        wasm += [0x00] + leb(custom.count) + custom
        return wasm
    }

    static func leb(_ value: Int) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            bytes.append(byte)
        } while value != 0
        return bytes
    }

    // MARK: Load time

    /// Nesting that takes well over a millisecond to load on both engines, but little enough that
    /// the abandoned loads do not keep a core busy for long after each test.
    static let slowDepth = 20_000

    @Test("parsing text longer than the load-time limit is given up with 'limit hit: load time'")
    func slowTextParse() throws {
        let targets = String(repeating: "0 ", count: 20_000)
        let text = command("(block (br_table \(targets) (i32.const 0)))")
        let error = try #require(throws: SandboxError.self) { try ModuleLoader.compileText(text, loadTime: .milliseconds(1)) }
        #expect(error.limitKind == .loadTime)
        #expect("\(error)".contains("limit hit: load time"), "got \(error)")
        #expect(error.exitStatus == ExitStatus.limit)
    }

    @Test("validating and compiling longer than the load-time limit is given up", arguments: allEngines)
    func slowCompile(engine: EngineChoice) async throws {
        var limits = Limits.defaults
        limits.loadTime = .milliseconds(1)
        let module = LoadedModule(name: "slow", wasm: Self.nestedBlocksBinary(depth: Self.slowDepth))
        let run = try await runModule(module, engine: engine, limits: limits)
        #expect(run.error?.limitKind == .loadTime, "got \(String(describing: run.error))")
        #expect(run.error.map { "\($0)" }?.contains("limit hit: load time") == true)
        #expect(run.outcome.exitStatus == ExitStatus.limit)
    }

    @Test("the run's deadline also ends a load that is still going", arguments: allEngines)
    func deadlineDuringLoad(engine: EngineChoice) async throws {
        var limits = Limits.defaults
        limits.loadTime = nil
        limits.timeout = .milliseconds(1)
        let module = LoadedModule(name: "slow", wasm: Self.nestedBlocksBinary(depth: Self.slowDepth))
        let run = try await runModule(module, engine: engine, limits: limits)
        #expect(run.error?.limitKind == .loadTime, "got \(String(describing: run.error))")
        #expect(run.error.map { "\($0)" }?.contains("wall-clock limit") == true)
    }

    @Test("a stop request ends a load that is still going", arguments: allEngines)
    func stopDuringLoad(engine: EngineChoice) async throws {
        try requireEngine(engine)
        var configuration = RunConfiguration(module: LoadedModule(name: "slow", wasm: Self.nestedBlocksBinary(depth: Self.slowDepth)))
        configuration.engine = engine
        configuration.limits.loadTime = nil
        configuration.stdout = CapturingSink(limit: 1024)
        let runner = ModuleRunner(configuration: configuration)
        runner.stop(.runtime("stopped by the test"))
        let outcome = await runner.run()
        #expect("\(String(describing: outcome.error))".contains("stopped by the test"))
    }

    @Test("a module well within the load-time limit runs as before", arguments: allEngines)
    func ordinaryModuleUnderLoadLimit(engine: EngineChoice) async throws {
        let run = try await runModule(command("(drop (i32.const 1))"), engine: engine)
        #expect(run.error == nil)
        #expect(Limits.defaults.loadTime == .seconds(60))
    }

    // MARK: Features an engine lacks

    /// Encodes text with every feature the text parser knows, as a compiler for another runtime would.
    static func binary(_ text: String) throws -> [UInt8] {
        try wat2wasm(text, features: .all)
    }

    @Test("a shared memory on WasmKit names the threads proposal")
    func sharedMemoryOnWasmKit() async throws {
        let module = LoadedModule(name: "shared", wasm: try Self.binary("(module (memory 1 2 shared) (func (export \"_start\")))"))
        let run = try await runModule(module, engine: .wasmkit)
        #expect(run.error?.isInvalidModule == true)
        #expect("\(String(describing: run.error))".contains("the wasmkit engine does not support shared memory (the threads proposal)"), "got \(String(describing: run.error))")
    }

    @Test("a 64-bit memory on WasmKit names the memory64 proposal")
    func memory64OnWasmKit() async throws {
        let module = LoadedModule(name: "m64", wasm: try Self.binary("(module (memory i64 1) (func (export \"_start\")))"))
        let run = try await runModule(module, engine: .wasmkit)
        #expect("\(String(describing: run.error))".contains("does not support 64-bit memory (the memory64 proposal)"), "got \(String(describing: run.error))")
    }

    @Test("exception handling on WasmKit names the proposal")
    func exceptionsOnWasmKit() async throws {
        let module = LoadedModule(name: "exn", wasm: try Self.binary("(module (tag $e) (func (export \"_start\") (throw $e)))"))
        let run = try await runModule(module, engine: .wasmkit)
        #expect("\(String(describing: run.error))".contains("does not support exception handling"), "got \(String(describing: run.error))")
    }

    @Test("GC types on WasmKit name the GC proposal")
    func gcOnWasmKit() async throws {
        let module = LoadedModule(name: "gc", wasm: try Self.binary("(module (type (struct (field i32))) (func (export \"_start\")))"))
        let run = try await runModule(module, engine: .wasmkit)
        #expect("\(String(describing: run.error))".contains("the GC proposal"), "got \(String(describing: run.error))")
    }

    @Test("two memories name the multi-memory proposal on both engines", arguments: allEngines)
    func multiMemory(engine: EngineChoice) async throws {
        let module = LoadedModule(name: "mm", wasm: try Self.binary("(module (memory 1) (memory 1) (func (export \"_start\")))"))
        let run = try await runModule(module, engine: engine)
        #expect(run.error?.isInvalidModule == true)
        #expect("\(String(describing: run.error))".contains("does not support more than one memory (the multi-memory proposal"), "got \(String(describing: run.error))")
    }

    static let componentHeader: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00]

    @Test("a component is named as such by the loader, the module reader and both engines", arguments: allEngines)
    func component(engine: EngineChoice) throws {
        try requireEngine(engine)
        let expected = "this is a WebAssembly component, not a core module"
        let loaded = try #require(throws: SandboxError.self) { try ModuleLoader.load(bytes: Self.componentHeader, name: "c") }
        #expect("\(loaded)".contains(expected), "got \(loaded)")
        let info = try #require(throws: SandboxError.self) { try ModuleInfo(wasm: Self.componentHeader) }
        #expect("\(info)".contains(expected), "got \(info)")
        let compiled = try #require(throws: SandboxError.self) {
            try EngineFactory.engine(engine, settings: EngineSettings()).compile(Self.componentHeader)
        }
        #expect("\(compiled)".contains(expected), "got \(compiled)")
    }

    // MARK: Module files

    @Test("a FIFO is refused at once instead of blocking the open")
    func fifo() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("pipe.wasm")
        #expect(mkfifo(path, 0o600) == 0)
        let error = try #require(throws: SandboxError.self) { try ModuleLoader.load(path: path) }
        #expect("\(error)" == "cannot read module '\(path)': is a FIFO (named pipe), not a regular file")
        #expect(error.exitStatus == ExitStatus.unreadableModule)
        #expect(ModuleLoader.checkFile(atPath: path) == "is a FIFO (named pipe), not a regular file")
    }

    @Test("a symlink to a huge sparse file is refused by the target's size, without reading it")
    func symlinkToHugeSparseFile() throws {
        let folder = try TemporaryFolder()
        let target = folder.path("huge.bin")
        #expect(FileManager.default.createFile(atPath: target, contents: Data([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00])))
        #expect(truncate(target, off_t(3) << 30) == 0)
        let link = folder.path("module.wasm")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let error = try #require(throws: SandboxError.self) { try ModuleLoader.load(path: link) }
        #expect("\(error)".hasSuffix("is larger than the 256 MiB module limit"), "got \(error)")
        #expect(ModuleLoader.checkFile(atPath: link) == "is larger than the 256 MiB module limit")
    }

    @Test("directories, missing files and devices are refused with their kind")
    func otherKinds() throws {
        let folder = try TemporaryFolder()
        #expect(ModuleLoader.checkFile(atPath: folder.url.path) == "is a directory, not a regular file")
        #expect(ModuleLoader.checkFile(atPath: folder.path("missing.wasm")) == "cannot be opened: no such file")
        #expect(ModuleLoader.checkFile(atPath: "/dev/zero") == "is a character device, not a regular file")
        let error = try #require(throws: SandboxError.self) { try ModuleLoader.load(path: "/dev/zero") }
        #expect(error.exitStatus == ExitStatus.unreadableModule)
    }

    @Test("checkFile accepts modules and text, and names empty files, components and other data")
    func checkFileContents() throws {
        let folder = try TemporaryFolder()
        func file(_ name: String, _ bytes: [UInt8]) -> String {
            let path = folder.path(name)
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            return path
        }
        #expect(ModuleLoader.checkFile(atPath: file("ok.wasm", try ModuleLoader.compileText("(module)"))) == nil)
        #expect(ModuleLoader.checkFile(atPath: file("ok.wat", Array("(module)".utf8))) == nil)
        #expect(ModuleLoader.checkFile(atPath: file("empty.wasm", [])) == "is empty")
        #expect(ModuleLoader.checkFile(atPath: file("c.wasm", Self.componentHeader))?.contains("this is a WebAssembly component") == true)
        #expect(ModuleLoader.checkFile(atPath: file("elf.wasm", [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01])) != nil)
    }

    @Test("a regular module file still loads, through a symlink too")
    func regularFile() throws {
        let folder = try TemporaryFolder()
        let path = folder.path("ok.wasm")
        let wasm = try ModuleLoader.compileText("(module (func (export \"_start\")))")
        _ = FileManager.default.createFile(atPath: path, contents: Data(wasm))
        try FileManager.default.createSymbolicLink(atPath: folder.path("link.wasm"), withDestinationPath: path)
        #expect(try ModuleLoader.load(path: folder.path("link.wasm")).wasm == wasm)
        #expect(try ModuleLoader.load(path: path).name == "ok")
    }
}

/// A folder removed when the value goes away.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("station-loading-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}
