/// Rewrites of the sections that refer to functions by index: tables (initialiser expressions),
/// exports, start, and element segments.
enum ReferenceSectionRewriter {
    /// Tables may carry an initialiser expression (`0x40 0x00 tabletype expr`, function references
    /// proposal) that can contain `ref.func`.
    static func tableSection(_ section: RawSection, wasm: [UInt8], plan: IndexPlan) throws(InstrumentationError) -> [UInt8] {
        var reader = ByteReader(wasm, from: section.payloadStart, to: section.payloadEnd)
        var payload: [UInt8] = []
        let count = try reader.readCount(minimumElementSize: 2)
        payload.appendUnsignedLEB(count)
        for _ in 0..<count {
            let entryStart = reader.position
            if reader.position < reader.end, wasm[reader.position] == 0x40 {
                try reader.skip(1)
                guard try reader.readByte() == 0x00 else { throw reader.error("malformed table entry", at: entryStart) }
                try reader.skipValueType()
                try reader.skipLimits()
                payload.append(contentsOf: wasm[entryStart..<reader.position])
                try ConstantExpressionRewriter.rewrite(&reader, into: &payload, plan: plan)
            } else {
                try reader.skipValueType()
                try reader.skipLimits()
                payload.append(contentsOf: wasm[entryStart..<reader.position])
            }
        }
        try AppendingSectionRewriter.expectEnd(reader, section: "table")
        return payload
    }

    /// Function exports point at the renumbered function; global exports are checked.
    static func exportSection(_ section: RawSection, wasm: [UInt8], plan: IndexPlan) throws(InstrumentationError) -> [UInt8] {
        var reader = ByteReader(wasm, from: section.payloadStart, to: section.payloadEnd)
        var payload: [UInt8] = []
        let count = try reader.readCount(minimumElementSize: 3)
        payload.appendUnsignedLEB(count)
        for _ in 0..<count {
            let entryStart = reader.position
            try reader.skipByteString()
            let kind = try reader.readByte()
            payload.append(contentsOf: wasm[entryStart..<reader.position])
            let indexOffset = reader.position
            let index = try reader.readU32()
            switch kind {
            case 0x00: payload.appendUnsignedLEB(try plan.remapFunction(index, at: indexOffset))
            case 0x03:
                try plan.checkGlobal(index, at: indexOffset)
                payload.appendUnsignedLEB(index)
            default: payload.appendUnsignedLEB(index)
            }
        }
        try AppendingSectionRewriter.expectEnd(reader, section: "export")
        return payload
    }

    static func startSection(_ section: RawSection, wasm: [UInt8], plan: IndexPlan) throws(InstrumentationError) -> [UInt8] {
        var reader = ByteReader(wasm, from: section.payloadStart, to: section.payloadEnd)
        let indexOffset = reader.position
        let index = try reader.readU32()
        try AppendingSectionRewriter.expectEnd(reader, section: "start")
        var payload: [UInt8] = []
        payload.appendUnsignedLEB(try plan.remapFunction(index, at: indexOffset))
        return payload
    }

    /// Element segments in all eight encodings (flags 0-7): bit 0 passive/declarative, bit 1
    /// explicit table index (active) or declarative (passive), bit 2 expressions instead of
    /// function indices.
    static func elementSection(_ section: RawSection, wasm: [UInt8], plan: IndexPlan) throws(InstrumentationError) -> [UInt8] {
        var reader = ByteReader(wasm, from: section.payloadStart, to: section.payloadEnd)
        var payload: [UInt8] = []
        let count = try reader.readCount(minimumElementSize: 2)
        payload.appendUnsignedLEB(count)
        for _ in 0..<count {
            let flagsOffset = reader.position
            let flags = try reader.readU32()
            guard flags <= 7 else { throw reader.error("malformed element segment flags \(flags)", at: flagsOffset) }
            payload.appendUnsignedLEB(flags)
            let isPassiveOrDeclarative = flags & 0x01 != 0
            let hasTableIndexOrIsDeclarative = flags & 0x02 != 0
            let usesExpressions = flags & 0x04 != 0
            if !isPassiveOrDeclarative {
                if hasTableIndexOrIsDeclarative {
                    payload.appendUnsignedLEB(try reader.readU32())
                }
                try ConstantExpressionRewriter.rewrite(&reader, into: &payload, plan: plan)
            }
            if isPassiveOrDeclarative || hasTableIndexOrIsDeclarative {
                // elemkind (one byte) for index vectors, reftype for expression vectors.
                let typeStart = reader.position
                if usesExpressions { try reader.skipValueType() } else { _ = try reader.readByte() }
                payload.append(contentsOf: wasm[typeStart..<reader.position])
            }
            let itemCount = try reader.readCount()
            payload.appendUnsignedLEB(itemCount)
            for _ in 0..<itemCount {
                if usesExpressions {
                    try ConstantExpressionRewriter.rewrite(&reader, into: &payload, plan: plan)
                } else {
                    let indexOffset = reader.position
                    payload.appendUnsignedLEB(try plan.remapFunction(try reader.readU32(), at: indexOffset))
                }
            }
        }
        try AppendingSectionRewriter.expectEnd(reader, section: "element")
        return payload
    }
}
