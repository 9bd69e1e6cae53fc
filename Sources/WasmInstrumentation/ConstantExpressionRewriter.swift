/// Copies a constant expression (global initialisers, element items, segment offsets, table
/// initialisers), renumbering `ref.func` and checking `global.get`.
///
/// Constant expressions allow only a small instruction set (MVP constants, `ref.null`, `ref.func`,
/// `global.get`, extended-const arithmetic, `v128.const`, and the GC allocation instructions); any
/// other opcode is rejected rather than guessed at.
enum ConstantExpressionRewriter {
    static func rewrite(
        _ reader: inout ByteReader, into output: inout [UInt8], plan: IndexPlan
    ) throws(InstrumentationError) {
        var copyFrom = reader.position
        while true {
            let instructionStart = reader.position
            let opcode = try reader.readByte()
            switch opcode {
            case 0x0B:  // end
                output.append(contentsOf: reader.bytes[copyFrom..<reader.position])
                return
            case 0x41: try reader.readSigned(bits: 32)  // i32.const
            case 0x42: try reader.readSigned(bits: 64)  // i64.const
            case 0x43: try reader.skip(4)  // f32.const
            case 0x44: try reader.skip(8)  // f64.const
            case 0x23:  // global.get
                try plan.checkGlobal(try reader.readU32(), at: instructionStart)
            case 0xD0: try reader.readSigned(bits: 33)  // ref.null heaptype
            case 0xD2:  // ref.func
                let index = try reader.readU32()
                output.append(contentsOf: reader.bytes[copyFrom..<instructionStart])
                output.append(0xD2)
                output.appendUnsignedLEB(try plan.remapFunction(index, at: instructionStart))
                copyFrom = reader.position
            case 0x6A, 0x6B, 0x6C, 0x7C, 0x7D, 0x7E:  // i32/i64 add, sub, mul (extended const)
                break
            case 0xFD:  // v128.const
                let subOpcode = try reader.readU32()
                guard subOpcode == 12 else { throw unsupported(opcode, subOpcode, at: instructionStart) }
                try reader.skip(16)
            case 0xFB:  // GC allocation instructions
                let subOpcode = try reader.readU32()
                switch subOpcode {
                case 0, 1, 6, 7: _ = try reader.readU32()  // struct.new(_default), array.new(_default)
                case 8: _ = try reader.readU32(); _ = try reader.readU32()  // array.new_fixed
                case 26, 27, 28: break  // any.convert_extern, extern.convert_any, ref.i31
                default: throw unsupported(opcode, subOpcode, at: instructionStart)
                }
            default:
                throw unsupported(opcode, nil, at: instructionStart)
            }
        }
    }

    private static func unsupported(_ opcode: UInt8, _ subOpcode: UInt32?, at offset: Int) -> InstrumentationError {
        let name = subOpcode.map { "0x\(String(opcode, radix: 16)) \($0)" } ?? "0x\(String(opcode, radix: 16))"
        return InstrumentationError("opcode \(name) is not allowed in a constant expression", offset: offset)
    }
}
