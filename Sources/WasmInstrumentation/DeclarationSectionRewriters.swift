/// Rewrites of the sections that only gain one entry at their end: types, imports, globals.
enum AppendingSectionRewriter {
    /// The type section plus a trailing `() -> i32` function type. A plain function type at the top
    /// level is its own implicit recursion group, so this also holds for GC modules.
    static func typeSection(_ section: RawSection?, wasm: [UInt8]) throws(InstrumentationError) -> [UInt8] {
        try appendEntry(to: section, wasm: wasm, entry: [0x60, 0x00, 0x01, 0x7F])
    }

    /// The import section plus `(import "station:sandbox" "checkpoint" (func (type $checkpoint)))`
    /// as its last entry, hence the last imported function.
    static func importSection(_ section: RawSection?, wasm: [UInt8], plan: IndexPlan) throws(InstrumentationError) -> [UInt8] {
        var entry: [UInt8] = []
        entry.appendByteString(Array(LoopInstrumenter.checkpointModule.utf8))
        entry.appendByteString(Array(LoopInstrumenter.checkpointName.utf8))
        entry.append(0x00)
        entry.appendUnsignedLEB(plan.checkpointTypeIndex)
        return try appendEntry(to: section, wasm: wasm, entry: entry)
    }

    /// The global section with `ref.func` renumbered in initialisers, plus
    /// `(global $budget (mut i32) (i32.const initialBudget))` at the end.
    static func globalSection(
        _ section: RawSection?, wasm: [UInt8], plan: IndexPlan, initialBudget: Int32
    ) throws(InstrumentationError) -> [UInt8] {
        var entries: [UInt8] = []
        var count = 0
        if let section {
            var reader = ByteReader(wasm, from: section.payloadStart, to: section.payloadEnd)
            count = try reader.readCount(minimumElementSize: 3)
            for _ in 0..<count {
                let typeStart = reader.position
                try reader.skipValueType()
                _ = try reader.readByte()  // mutability
                entries.append(contentsOf: wasm[typeStart..<reader.position])
                try ConstantExpressionRewriter.rewrite(&reader, into: &entries, plan: plan)
            }
            try expectEnd(reader, section: "global")
        }
        entries.append(contentsOf: [0x7F, 0x01, 0x41])
        entries.appendSignedLEB(Int64(initialBudget))
        entries.append(0x0B)
        var payload: [UInt8] = []
        payload.appendUnsignedLEB(count + 1)
        payload.append(contentsOf: entries)
        return payload
    }

    /// Re-encodes a vector section with one more element appended after the existing ones.
    private static func appendEntry(
        to section: RawSection?, wasm: [UInt8], entry: [UInt8]
    ) throws(InstrumentationError) -> [UInt8] {
        var payload: [UInt8] = []
        guard let section else {
            payload.appendUnsignedLEB(1)
            payload.append(contentsOf: entry)
            return payload
        }
        var reader = ByteReader(wasm, from: section.payloadStart, to: section.payloadEnd)
        let count = Int(try reader.readU32())
        payload.appendUnsignedLEB(count + 1)
        payload.append(contentsOf: wasm[reader.position..<section.payloadEnd])
        payload.append(contentsOf: entry)
        return payload
    }

    static func expectEnd(_ reader: ByteReader, section: String) throws(InstrumentationError) {
        guard reader.isAtEnd else {
            throw reader.error("unexpected extra bytes at the end of the \(section) section")
        }
    }
}
