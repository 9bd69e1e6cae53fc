/// A minimal WebAssembly binary writer for harnesses that build modules from fuzz input (the
/// StationABI harness): only the sections and instructions they emit. Writing the binary
/// directly keeps each input cheap (no text parser in the loop).
struct WasmEncoder {
    enum ValueType: UInt8 {
        case i32 = 0x7F
        case i64 = 0x7E
    }

    /// An imported function: its module, name and type.
    struct Import {
        var module: String
        var name: String
        var parameters: [ValueType]
        var results: [ValueType]
    }

    /// An active data segment for memory 0.
    struct Data {
        var offset: Int32
        var bytes: [UInt8]
    }

    var imports: [Import] = []
    /// Memory 0 (exported as "memory"): minimum and optional maximum in 64 KiB pages.
    var memoryPages: (minimum: UInt32, maximum: UInt32?) = (1, nil)
    /// The body of the exported `_start` (type `() -> ()`): its i32 locals and its instructions
    /// (without the final `end`).
    var startLocals: UInt32 = 0
    var startCode: [UInt8] = []
    var data: [Data] = []

    /// The index `_start` gets: right after the imported functions.
    var startIndex: UInt32 { UInt32(imports.count) }

    func encode() -> [UInt8] {
        var out: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]
        // Types: one per import, then `() -> ()` for _start.
        var types: [UInt8] = []
        Self.unsigned(UInt64(imports.count + 1), into: &types)
        for function in imports { Self.functionType(function.parameters, function.results, into: &types) }
        Self.functionType([], [], into: &types)
        Self.section(1, types, into: &out)

        var importSection: [UInt8] = []
        Self.unsigned(UInt64(imports.count), into: &importSection)
        for (index, function) in imports.enumerated() {
            Self.name(function.module, into: &importSection)
            Self.name(function.name, into: &importSection)
            importSection.append(0x00)
            Self.unsigned(UInt64(index), into: &importSection)
        }
        Self.section(2, importSection, into: &out)

        var functions: [UInt8] = [0x01]
        Self.unsigned(UInt64(imports.count), into: &functions)
        Self.section(3, functions, into: &out)

        var memory: [UInt8] = [0x01]
        if let maximum = memoryPages.maximum {
            memory.append(0x01)
            Self.unsigned(UInt64(memoryPages.minimum), into: &memory)
            Self.unsigned(UInt64(maximum), into: &memory)
        } else {
            memory.append(0x00)
            Self.unsigned(UInt64(memoryPages.minimum), into: &memory)
        }
        Self.section(5, memory, into: &out)

        var exports: [UInt8] = [0x02]
        Self.name("memory", into: &exports)
        exports += [0x02, 0x00]
        Self.name("_start", into: &exports)
        exports.append(0x00)
        Self.unsigned(UInt64(startIndex), into: &exports)
        Self.section(7, exports, into: &out)

        var body: [UInt8] = []
        if startLocals > 0 {
            body.append(0x01)
            Self.unsigned(UInt64(startLocals), into: &body)
            body.append(ValueType.i32.rawValue)
        } else {
            body.append(0x00)
        }
        body += startCode
        body.append(0x0B)
        var code: [UInt8] = [0x01]
        Self.unsigned(UInt64(body.count), into: &code)
        code += body
        Self.section(10, code, into: &out)

        if !data.isEmpty {
            var dataSection: [UInt8] = []
            Self.unsigned(UInt64(data.count), into: &dataSection)
            for segment in data {
                dataSection.append(0x00)
                dataSection.append(0x41)
                Self.signed(Int64(segment.offset), into: &dataSection)
                dataSection.append(0x0B)
                Self.unsigned(UInt64(segment.bytes.count), into: &dataSection)
                dataSection += segment.bytes
            }
            Self.section(11, dataSection, into: &out)
        }
        return out
    }

    // MARK: Instructions

    static func i32Const(_ value: Int32, into code: inout [UInt8]) {
        code.append(0x41)
        signed(Int64(value), into: &code)
    }

    static func i64Const(_ value: Int64, into code: inout [UInt8]) {
        code.append(0x42)
        signed(value, into: &code)
    }

    static func localGet(_ index: UInt32, into code: inout [UInt8]) {
        code.append(0x20)
        unsigned(UInt64(index), into: &code)
    }

    static func localSet(_ index: UInt32, into code: inout [UInt8]) {
        code.append(0x21)
        unsigned(UInt64(index), into: &code)
    }

    static func call(_ index: UInt32, into code: inout [UInt8]) {
        code.append(0x10)
        unsigned(UInt64(index), into: &code)
    }

    /// `i64.extend_i32_s`.
    static func extendSigned(into code: inout [UInt8]) { code.append(0xAC) }

    // MARK: Encoding

    static func unsigned(_ value: UInt64, into out: inout [UInt8]) {
        var value = value
        repeat {
            var byte = UInt8(value & 0x7F)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            out.append(byte)
        } while value != 0
    }

    static func signed(_ value: Int64, into out: inout [UInt8]) {
        var value = value
        while true {
            let byte = UInt8(truncatingIfNeeded: value) & 0x7F
            value >>= 7
            let done = (value == 0 && byte & 0x40 == 0) || (value == -1 && byte & 0x40 != 0)
            out.append(done ? byte : byte | 0x80)
            if done { return }
        }
    }

    private static func name(_ text: String, into out: inout [UInt8]) {
        let bytes = Array(text.utf8)
        unsigned(UInt64(bytes.count), into: &out)
        out += bytes
    }

    private static func functionType(_ parameters: [ValueType], _ results: [ValueType], into out: inout [UInt8]) {
        out.append(0x60)
        unsigned(UInt64(parameters.count), into: &out)
        out += parameters.map(\.rawValue)
        unsigned(UInt64(results.count), into: &out)
        out += results.map(\.rawValue)
    }

    private static func section(_ id: UInt8, _ payload: [UInt8], into out: inout [UInt8]) {
        out.append(id)
        unsigned(UInt64(payload.count), into: &out)
        out += payload
    }
}
