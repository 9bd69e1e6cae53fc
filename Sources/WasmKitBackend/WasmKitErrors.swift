import Foundation
import WasmKit
import SandboxEngine
import Units
import WasmParser

/// Turns WasmKit's errors into ``SandboxError``. WasmKit exposes traps and parse errors only as
/// text, so this reads their descriptions.
enum WasmKitErrors {
    enum Phase { case instantiation, execution }

    /// A module WasmKit refused; `wasm` (the module's bytes, when at hand) lets a missing feature
    /// be named (``WasmKitFeatureGaps``).
    static func invalidModule(_ error: any Error, wasm: [UInt8]? = nil) -> SandboxError {
        let text = "\(error)"
        let reason = WasmKitFeatureGaps.explain(wasm, message: text) ?? cleanedMessage(text)
        return .invalidModule(reason: reason, offset: byteOffset(in: text))
    }

    static func map(_ error: any Error, phase: Phase, stackBytes: Int) -> any Error {
        if error is SandboxError { return error }
        let text = "\(error)"
        if let trap = error as? Trap {
            return mapTrap(trap.description, stackBytes: stackBytes)
        }
        if error is WasmParserError {
            return invalidModule(error)
        }
        if text.hasPrefix("Trap:") || text.contains("\nTrap:") {
            return mapTrap(text, stackBytes: stackBytes)
        }
        if let range = text.range(of: "unknown import ") {
            let name = text[range.upperBound...].prefix { !$0.isWhitespace }
            let parts = name.split(separator: ".", maxSplits: 1)
            return SandboxError.missingImport(
                module: parts.first.map(String.init) ?? String(name),
                name: parts.count > 1 ? String(parts[1]) : "", detail: "")
        }
        if text.contains("incompatible import type") {
            return SandboxError.link(text)
        }
        if phase == .instantiation {
            return invalidModule(error)
        }
        return SandboxError.runtime(text)
    }

    /// Maps a trap description ("Trap: reason\n    0: (0x…) name") to a sandbox error.
    static func mapTrap(_ description: String, stackBytes: Int) -> SandboxError {
        let lines = description.split(separator: "\n", omittingEmptySubsequences: true)
        var reason = lines.first.map(String.init) ?? description
        if let range = reason.range(of: "Trap: ") { reason = String(reason[range.upperBound...]) }
        let function = lines.dropFirst().first.flatMap { line -> String? in
            guard let close = line.range(of: ") ") else { return nil }
            let name = line[close.upperBound...].trimmingCharacters()
            return name.isEmpty || name == "unknown" ? nil : name
        }
        let lower = reason.lowercased()
        if lower.hasPrefix("call stack exhausted") {
            return .limitExceeded(.stack, detail: "WebAssembly stack limit of \(Units.formatBytes(UInt64(stackBytes))) exhausted (runaway recursion?)")
        }
        if lower.hasPrefix("out of fuel") {
            return .limitExceeded(.fuel, detail: "fuel budget used up")
        }
        if lower.hasPrefix("initial memory size exceeds") {
            return .limitExceeded(.memory, detail: reason)
        }
        if lower.hasPrefix("initial table size exceeds") {
            return .limitExceeded(.table, detail: reason)
        }
        let kind: TrapKind
        switch true {
        case lower.hasPrefix("unreachable"): kind = .unreachable
        case lower.hasPrefix("out of bounds memory"): kind = .memoryOutOfBounds
        case lower.hasPrefix("out of bounds table"): kind = .tableOutOfBounds
        case lower.hasPrefix("indirect call to null"): kind = .indirectCallToNull
        case lower.hasPrefix("indirect call type mismatch"): kind = .indirectCallTypeMismatch
        case lower.hasPrefix("integer divide by zero"): kind = .integerDivisionByZero
        case lower.hasPrefix("integer overflow"): kind = .integerOverflow
        case lower.hasPrefix("invalid conversion"): kind = .invalidConversion
        case lower.hasPrefix("null"): kind = .nullReference
        default: kind = .other
        }
        return .trap(TrapDescription(kind: kind, message: reason, function: function))
    }

    /// Finds "offset 0x1f" (hex) or "offset 31" in an error message.
    static func byteOffset(in text: String) -> Int? {
        guard let range = text.range(of: "offset ", options: .backwards) else { return nil }
        let rest = text[range.upperBound...]
        if rest.hasPrefix("0x") {
            return Int(rest.dropFirst(2).prefix { $0.isHexDigit }, radix: 16)
        }
        return Int(rest.prefix { $0.isNumber })
    }

    private static func cleanedMessage(_ text: String) -> String {
        var message = text
        if let range = message.range(of: " at offset ", options: .backwards) { message = String(message[..<range.lowerBound]) }
        message = message.replacingOccurrences(of: "\"", with: "")
        while message.hasSuffix(".") { message.removeLast() }
        return message
    }
}

extension StringProtocol {
    func trimmingCharacters() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
