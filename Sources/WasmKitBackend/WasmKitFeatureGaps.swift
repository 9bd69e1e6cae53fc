import SandboxEngine
import WasmParser
import WasmTypes

/// Names the WebAssembly feature a module needs that the WasmKit engine (as configured here)
/// lacks, instead of WasmKit's parser-level message ("Malformed limit: 3" for a shared memory).
///
/// Only consulted after WasmKit refused a module, so it never rejects anything by itself.
enum WasmKitFeatureGaps {
    /// A readable reason for a refused module, when the refusal comes from a missing feature.
    ///
    /// - Parameters:
    ///   - wasm: the module's bytes, read again with every feature on to find what it declares.
    ///   - message: WasmKit's own message (some gaps show only there, e.g. an atomic instruction).
    static func explain(_ wasm: [UInt8]?, message: String) -> String? {
        if let wasm, let header = WasmBinaryHeader.problem(in: wasm) { return header }
        if let wasm, let feature = declaredFeature(in: wasm) { return sentence(feature) }
        if let feature = feature(inMessage: message) { return sentence(feature) }
        return nil
    }

    private static func sentence(_ feature: String) -> String {
        "the wasmkit engine does not support \(feature)"
    }

    /// The first unsupported feature the module's declarations use (memories, tables, tags, types).
    static func declaredFeature(in wasm: [UInt8]) -> String? {
        var parser = Parser(bytes: wasm, features: .all)
        var memories = 0
        do {
            while let payload = try parser.parseNext() {
                switch payload {
                case .typeSection(let groups):
                    for group in groups {
                        for type in group.types {
                            if case .function = type.body, type.supertypes.isEmpty, type.isFinal, group.types.count == 1 { continue }
                            return "garbage-collected types (struct, array, subtyping or recursive type groups: the GC proposal)"
                        }
                    }
                case .importSection(let entries):
                    for entry in entries {
                        switch entry.descriptor {
                        case .memory(let memory):
                            memories += 1
                            if let gap = memoryGap(memory) { return gap }
                        case .table(let table):
                            if table.limits.isMemory64 { return tableGap }
                        case .tag:
                            return exceptions
                        default:
                            break
                        }
                    }
                case .memorySection(let entries):
                    for entry in entries {
                        memories += 1
                        if let gap = memoryGap(entry.type) { return gap }
                    }
                case .tableSection(let entries):
                    if entries.contains(where: { $0.type.limits.isMemory64 }) { return tableGap }
                case .tagSection(let tags):
                    if !tags.isEmpty { return exceptions }
                default:
                    break
                }
                if memories > 1 { return multipleMemories }
            }
        } catch {
            return nil
        }
        return nil
    }

    private static func memoryGap(_ memory: MemoryType) -> String? {
        if memory.shared { return "shared memory (the threads proposal)" }
        if memory.isMemory64 { return "64-bit memory (the memory64 proposal)" }
        return nil
    }

    private static let tableGap = "64-bit tables (the memory64 proposal)"
    private static let exceptions = "exception handling (tags, throw, try_table: the exception-handling proposal)"
    private static let multipleMemories =
        "more than one memory (the multi-memory proposal; this runtime allows one memory so that the memory limit bounds all linear memory)"

    /// A feature named by one of WasmKit's messages: an illegal opcode from a proposal, or a
    /// validation rule that names the proposal.
    static func feature(inMessage message: String) -> String? {
        let lower = message.lowercased()
        if lower.contains("multiple memories") { return multipleMemories }
        if lower.contains("threads feature is required") { return "shared memory (the threads proposal)" }
        if lower.contains("memory64 feature is required") { return "64-bit memory (the memory64 proposal)" }
        guard let range = lower.range(of: "illegal opcode: [") else { return nil }
        let first = lower[range.upperBound...].prefix { $0.isNumber }
        switch UInt8(first) {
        case 0xFE: return "atomic instructions (the threads proposal)"
        case 0xFB: return "garbage-collection instructions (the GC proposal)"
        case 0x06, 0x07, 0x08, 0x09, 0x0A, 0x18, 0x19, 0x1F: return exceptions
        case 0x14, 0x15, 0xD4, 0xD5, 0xD6: return "typed function references (the function-references proposal)"
        default: return nil
        }
    }
}
