import Foundation
import SandboxEngine
import Units
import WAT
import Crypto

/// A module's bytes, ready for an engine, with where they came from.
public struct LoadedModule: Sendable {
    /// A short name for messages and events (the file name without extension).
    public var name: String
    /// The binary module.
    public var wasm: [UInt8]
    /// Hex SHA-256 of `wasm`.
    public var sha256: String {
        SHA256.hash(data: wasm).map { String(format: "%02x", $0) }.joined()
    }

    public init(name: String, wasm: [UInt8]) {
        self.name = name
        self.wasm = wasm
    }
}

/// Reads modules from disk: binary `.wasm` files and WebAssembly text (`.wat`).
public enum ModuleLoader {
    /// The largest module file accepted (a guard against being handed a disk image by mistake).
    public static let maximumFileSize = 256 << 20

    /// The deepest parenthesis nesting accepted in WebAssembly text. WasmKit's text parser recurses
    /// once per level of folded instructions; far deeper text would overflow any stack.
    public static let maximumTextNesting = 10_000

    /// Loads the module at `path`. Text is recognised by content, not only by extension: a file
    /// that does not start with the `\0asm` magic is parsed as WAT when it looks like text.
    ///
    /// - Parameter loadTime: the limit for parsing WebAssembly text (``Limits/loadTime``).
    public static func load(path: String, loadTime: Duration? = Limits.defaults.loadTime) throws -> LoadedModule {
        let url = URL(fileURLWithPath: path)
        let name = url.deletingPathExtension().lastPathComponent
        let bytes = try readFile(atPath: path)
        return try load(bytes: bytes, name: name, isTextHint: url.pathExtension.lowercased() == "wat", loadTime: loadTime)
    }

    /// Says what is wrong with the module file at `path` without compiling it, or nil when it looks
    /// loadable: it must open, be a regular file (a symlink to one is fine) of at most
    /// ``maximumFileSize`` bytes, and start like a core WebAssembly module or like text. The answer
    /// reads after the path, e.g. `is a directory` or `is larger than the 256 MiB module limit`.
    /// Reads at most 512 bytes; never blocks on a FIFO.
    public static func checkFile(atPath path: String) -> String? {
        do throws(RegularFile.Failure) {
            let file = try RegularFile(path: path, maximumSize: Int64(maximumFileSize))
            let head = try file.read(atMost: 512)
            if head.isEmpty { return "is empty" }
            if let problem = WasmBinaryHeader.problem(in: head) { return "is not a core module: \(problem)" }
            if head.starts(with: WasmBinaryHeader.magic) || looksLikeText(head) { return nil }
            return "is neither a WebAssembly binary (no \\0asm magic) nor WebAssembly text"
        } catch {
            return describe(error)
        }
    }

    /// Reads a module file: opens it without blocking (a FIFO cannot hang the open), checks on the
    /// open descriptor that it is a regular file within ``maximumFileSize``, and reads at most one
    /// byte more than that (the file may grow while it is read).
    public static func readFile(atPath path: String) throws -> [UInt8] {
        do throws(RegularFile.Failure) {
            let file = try RegularFile(path: path, maximumSize: Int64(maximumFileSize))
            let bytes = try file.read(atMost: maximumFileSize + 1)
            if bytes.count > maximumFileSize { throw .tooLarge(size: Int64(bytes.count), maximum: Int64(maximumFileSize)) }
            return bytes
        } catch {
            throw SandboxError.unreadableModule(path: path, reason: describe(error))
        }
    }

    /// A file failure phrased for a module ("is larger than the 256 MiB module limit").
    private static func describe(_ failure: RegularFile.Failure) -> String {
        if case .tooLarge = failure {
            return "is larger than the \(Units.formatBytes(UInt64(maximumFileSize))) module limit"
        }
        return failure.description
    }

    /// Loads a module from bytes that are either a binary module or WAT text.
    ///
    /// - Parameter loadTime: the limit for parsing WebAssembly text (``Limits/loadTime``).
    public static func load(bytes: [UInt8], name: String, isTextHint: Bool = false, loadTime: Duration? = Limits.defaults.loadTime) throws -> LoadedModule {
        if bytes.starts(with: WasmBinaryHeader.magic) {
            if let problem = WasmBinaryHeader.problem(in: bytes) {
                throw SandboxError.invalidModule(reason: problem, offset: 4)
            }
            return LoadedModule(name: name, wasm: bytes)
        }
        if isTextHint || looksLikeText(bytes) {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw SandboxError.invalidModule(reason: "the file is neither a binary module (no \\0asm magic) nor UTF-8 WebAssembly text", offset: 0)
            }
            return LoadedModule(name: name, wasm: try compileText(text, loadTime: loadTime))
        }
        throw SandboxError.invalidModule(
            reason: "not a WebAssembly module: expected the magic bytes 00 61 73 6d, found \(bytes.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " "))",
            offset: 0)
    }

    /// Compiles WebAssembly text to a binary module.
    ///
    /// Text nested deeper than ``maximumTextNesting`` is refused before parsing; the parse runs on
    /// a thread with a large stack (``BoundedLoad``) and is given up after `loadTime`.
    public static func compileText(_ text: String, loadTime: Duration? = Limits.defaults.loadTime) throws -> [UInt8] {
        let wasm = try BoundedLoad.run("text", limit: loadTime) { () throws -> [UInt8] in
            if let deep = TextNesting.firstExcess(in: text, limit: maximumTextNesting) {
                throw SandboxError.invalidModule(
                    reason: "WebAssembly text nests parentheses more than \(maximumTextNesting) deep (line \(deep.line)); "
                        + "this runtime refuses text nested that deeply", offset: nil)
            }
            do {
                return try wat2wasm(text, features: [.referenceTypes, .tailCall, .simd], options: EncodeOptions(nameSection: true))
            } catch {
                throw SandboxError.invalidModule(reason: "WebAssembly text: \(error)", offset: nil)
            }
        }
        // `(component ...)` text encodes to a component binary.
        if let problem = WasmBinaryHeader.problem(in: wasm) {
            throw SandboxError.invalidModule(reason: problem, offset: nil)
        }
        return wasm
    }

    private static func looksLikeText(_ bytes: [UInt8]) -> Bool {
        let head = bytes.prefix(512)
        guard !head.isEmpty else { return false }
        return head.allSatisfy { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || ($0 >= 0x20 && $0 != 0x7F) }
            && head.contains(UInt8(ascii: "("))
    }
}
