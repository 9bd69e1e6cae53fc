import CWasmtime
import Foundation
import SandboxEngine
import Units

/// Turns Wasmtime's messages and trap codes into ``SandboxError`` values a module author reads.
enum FailureTranslation {
    /// A compile (parse or validation) failure: the deepest cause, and the byte offset when given.
    static func invalidModule(_ message: String) -> SandboxError {
        let offset = byteOffset(in: message)
        let cause = deepestCause(message)
        return .invalidModule(reason: featureGap(cause) ?? cause, offset: offset)
    }

    /// Says which feature the engine lacks when validation failed for that reason (Wasmtime's own
    /// words name the construct, not that this runtime turned the feature off).
    static func featureGap(_ cause: String) -> String? {
        if cause.contains("was given a WebAssembly component") {
            return "this is a WebAssembly component, not a core module; Station runs core modules "
                + "(build for a core target such as wasm32-wasip1 instead of wasip2, or extract the core module)"
        }
        if cause == "multiple memories" || cause.hasPrefix("multi-memory support is not enabled") {
            return "the wasmtime engine does not support more than one memory (the multi-memory proposal; "
                + "this runtime allows one memory so that the memory limit bounds all linear memory)"
        }
        if let range = cause.range(of: " support is not enabled") {
            return "the wasmtime engine does not support \(cause[..<range.lowerBound]) (a WebAssembly proposal turned off here)"
        }
        if let range = cause.range(of: " proposal not enabled") {
            return "the wasmtime engine does not support the \(cause[..<range.lowerBound]) proposal"
        }
        return nil
    }

    /// An instantiation failure (before any guest code ran).
    static func instantiation(_ message: String, limits: Limits) -> SandboxError {
        if let item = backtickedItem(after: "unknown import: `", in: message) {
            return .missingImport(module: item.module, name: item.name, detail: "")
        }
        if let item = backtickedItem(after: "incompatible import type for `", in: message) {
            return .link("import \(item.module).\(item.name) has the wrong type: \(deepestCause(message))")
        }
        if message.hasPrefix("memory minimum size of "), message.contains("exceeds memory limits") {
            let pages = number(after: "memory minimum size of ", in: message)
            let requested = pages.map { " of \($0) pages (\(Units.formatBytes($0 &* 65536)))" } ?? ""
            return .limitExceeded(.memory, detail: "initial memory\(requested) exceeds the limit of \(Units.formatBytes(limits.memoryBytes))")
        }
        if message.hasPrefix("table minimum size of "), message.contains("exceeds table limits") {
            let elements = number(after: "table minimum size of ", in: message)
            let requested = elements.map { " of \($0) elements" } ?? ""
            return .limitExceeded(.table, detail: "initial table\(requested) exceeds the limit of \(limits.effectiveTableElements) elements")
        }
        return .link(deepestCause(message))
    }

    /// A trap that ended a call or a start function.
    static func trap(_ report: TrapReport, limits: Limits, stackBytes: Int, governor: ExecutionGovernor) -> SandboxError {
        let location = report.function.map { " in function '\($0)'" } ?? ""
        guard let code = report.code else {
            return .trap(TrapDescription(kind: .other, message: cleaned(report.message), function: report.function))
        }
        let kind: TrapKind
        switch Int32(code) {
        case CWT_TRAP_STACK_OVERFLOW:
            return .limitExceeded(.stack, detail: "call stack of \(Units.formatBytes(UInt64(stackBytes))) exhausted\(location)")
        case CWT_TRAP_OUT_OF_FUEL:
            let budget = limits.fuel.map { "fuel budget of \($0) units" } ?? "fuel"
            return .limitExceeded(.fuel, detail: "\(budget) used up\(location)")
        case CWT_TRAP_INTERRUPT:
            return governor.pendingStop() ?? .runtime("execution was interrupted\(location)")
        case CWT_TRAP_MEMORY_OUT_OF_BOUNDS, CWT_TRAP_HEAP_MISALIGNED: kind = .memoryOutOfBounds
        case CWT_TRAP_TABLE_OUT_OF_BOUNDS: kind = .tableOutOfBounds
        case CWT_TRAP_INDIRECT_CALL_TO_NULL: kind = .indirectCallToNull
        case CWT_TRAP_BAD_SIGNATURE: kind = .indirectCallTypeMismatch
        case CWT_TRAP_INTEGER_OVERFLOW: kind = .integerOverflow
        case CWT_TRAP_INTEGER_DIVISION_BY_ZERO: kind = .integerDivisionByZero
        case CWT_TRAP_BAD_CONVERSION_TO_INTEGER: kind = .invalidConversion
        case CWT_TRAP_UNREACHABLE_CODE_REACHED: kind = .unreachable
        case CWT_TRAP_NULL_REFERENCE: kind = .nullReference
        default: kind = .other
        }
        return .trap(TrapDescription(kind: kind, message: cleaned(report.message), function: report.function))
    }

    /// The byte offset in `at offset 0x1e` or `at offset 33`, if the message has one.
    static func byteOffset(in message: String) -> Int? {
        guard let range = message.range(of: "at offset ", options: .backwards) else { return nil }
        let rest = message[range.upperBound...]
        if rest.hasPrefix("0x") {
            let digits = rest.dropFirst(2).prefix { $0.isHexDigit }
            return Int(digits, radix: 16)
        }
        return Int(rest.prefix { $0.isASCII && $0.isNumber })
    }

    /// The most specific line of an anyhow-style chain ("…\n\nCaused by:\n    0: …\n    1: …"),
    /// without its list number, its `(at offset …)` suffix or the `Invalid input WebAssembly code at
    /// offset N:` prefix.
    static func deepestCause(_ message: String) -> String {
        let lines: [String] = message.split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        guard var line = lines.last else { return message }
        if let colon = line.firstIndex(of: ":"), line[..<colon].allSatisfy(\.isNumber), colon != line.startIndex {
            line = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if let suffix = line.range(of: " (at offset ", options: .backwards) {
            line = String(line[..<suffix.lowerBound])
        }
        if line.hasPrefix("Invalid input WebAssembly code at offset "), let colon = line.firstIndex(of: ":") {
            line = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        line = line.trimmingCharacters(in: .whitespaces)
        return line.isEmpty ? message : line
    }

    /// A trap message without Wasmtime's `wasm trap: ` prefix.
    static func cleaned(_ message: String) -> String {
        let cause = deepestCause(message)
        return cause.hasPrefix("wasm trap: ") ? String(cause.dropFirst("wasm trap: ".count)) : cause
    }

    private static func backtickedItem(after prefix: String, in message: String) -> (module: String, name: String)? {
        guard let start = message.range(of: prefix) else { return nil }
        let rest = message[start.upperBound...]
        guard let end = rest.firstIndex(of: "`") else { return nil }
        let item = rest[..<end]
        guard let separator = item.range(of: "::") else { return (String(item), "") }
        return (String(item[..<separator.lowerBound]), String(item[separator.upperBound...]))
    }

    private static func number(after prefix: String, in message: String) -> UInt64? {
        guard let start = message.range(of: prefix) else { return nil }
        return UInt64(message[start.upperBound...].prefix { $0.isASCII && $0.isNumber })
    }
}
