import Foundation
import SandboxEngine
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

    /// Loads the module at `path`. Text is recognised by content, not only by extension: a file
    /// that does not start with the `\0asm` magic is parsed as WAT when it looks like text.
    public static func load(path: String) throws -> LoadedModule {
        let url = URL(fileURLWithPath: path)
        let name = url.deletingPathExtension().lastPathComponent
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            if let type = attributes[.type] as? FileAttributeType, type == .typeDirectory {
                throw SandboxError.unreadableModule(path: path, reason: "it is a directory")
            }
            if let size = attributes[.size] as? NSNumber, size.intValue > maximumFileSize {
                throw SandboxError.unreadableModule(path: path, reason: "file is larger than \(Units.formatBytes(UInt64(maximumFileSize)))")
            }
            data = try Data(contentsOf: url)
        } catch let error as SandboxError {
            throw error
        } catch {
            throw SandboxError.unreadableModule(path: path, reason: describe(error))
        }
        return try load(bytes: [UInt8](data), name: name, isTextHint: url.pathExtension.lowercased() == "wat")
    }

    /// Loads a module from bytes that are either a binary module or WAT text.
    public static func load(bytes: [UInt8], name: String, isTextHint: Bool = false) throws -> LoadedModule {
        if bytes.starts(with: [0x00, 0x61, 0x73, 0x6D]) {
            return LoadedModule(name: name, wasm: bytes)
        }
        if isTextHint || looksLikeText(bytes) {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw SandboxError.invalidModule(reason: "the file is neither a binary module (no \\0asm magic) nor UTF-8 WebAssembly text", offset: 0)
            }
            return LoadedModule(name: name, wasm: try compileText(text))
        }
        throw SandboxError.invalidModule(
            reason: "not a WebAssembly module: expected the magic bytes 00 61 73 6d, found \(bytes.prefix(4).map { String(format: "%02x", $0) }.joined(separator: " "))",
            offset: 0)
    }

    /// Compiles WebAssembly text to a binary module.
    public static func compileText(_ text: String) throws -> [UInt8] {
        do {
            return try wat2wasm(text, features: [.referenceTypes, .tailCall, .simd], options: EncodeOptions(nameSection: true))
        } catch {
            throw SandboxError.invalidModule(reason: "WebAssembly text: \(error)", offset: nil)
        }
    }

    private static func looksLikeText(_ bytes: [UInt8]) -> Bool {
        let head = bytes.prefix(512)
        guard !head.isEmpty else { return false }
        return head.allSatisfy { $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || ($0 >= 0x20 && $0 != 0x7F) }
            && head.contains(UInt8(ascii: "("))
    }

    private static func describe(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoSuchFileError {
            return "no such file"
        }
        if nsError.domain == NSCocoaErrorDomain, nsError.code == NSFileReadNoPermissionError {
            return "permission denied"
        }
        return nsError.localizedDescription
    }
}
