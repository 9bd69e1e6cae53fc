/// Puts the instrumented module together: header, then every section in its original order with
/// the rewritten payloads, creating the type, import and global sections where they were absent.
struct ModuleAssembler {
    let wasm: [UInt8]
    let sections: [RawSection]
    private(set) var output: [UInt8] = []

    init(wasm: [UInt8], sections: [RawSection]) {
        self.wasm = wasm
        self.sections = sections
    }

    mutating func assemble(plan: IndexPlan, code: CodeSectionRewriter, initialBudget: Int32) throws(InstrumentationError) {
        output.reserveCapacity(wasm.count + wasm.count / 4 + 64)
        output.append(contentsOf: wasm[0..<SectionLayout.headerSize])
        // Sections that must exist in the output, created when the input lacks them.
        var missing: [UInt8] = [SectionID.type, SectionID.import, SectionID.global].filter { id in
            !sections.contains { $0.id == id }
        }
        for section in sections {
            if let rank = section.orderRank {
                while let next = missing.first, let nextRank = SectionID.orderRank(of: next), nextRank < rank {
                    missing.removeFirst()
                    try emit(id: next, section: nil, plan: plan, code: code, initialBudget: initialBudget)
                }
            }
            try emit(id: section.id, section: section, plan: plan, code: code, initialBudget: initialBudget)
        }
        for id in missing {
            try emit(id: id, section: nil, plan: plan, code: code, initialBudget: initialBudget)
        }
    }

    private mutating func emit(
        id: UInt8, section: RawSection?, plan: IndexPlan, code: CodeSectionRewriter, initialBudget: Int32
    ) throws(InstrumentationError) {
        let payload: [UInt8]?
        switch id {
        case SectionID.type:
            payload = try AppendingSectionRewriter.typeSection(section, wasm: wasm)
        case SectionID.import:
            payload = try AppendingSectionRewriter.importSection(section, wasm: wasm, plan: plan)
        case SectionID.global:
            payload = try AppendingSectionRewriter.globalSection(section, wasm: wasm, plan: plan, initialBudget: initialBudget)
        case SectionID.table:
            payload = try section.map { s throws(InstrumentationError) in try ReferenceSectionRewriter.tableSection(s, wasm: wasm, plan: plan) }
        case SectionID.export:
            payload = try section.map { s throws(InstrumentationError) in try ReferenceSectionRewriter.exportSection(s, wasm: wasm, plan: plan) }
        case SectionID.start:
            payload = try section.map { s throws(InstrumentationError) in try ReferenceSectionRewriter.startSection(s, wasm: wasm, plan: plan) }
        case SectionID.element:
            payload = try section.map { s throws(InstrumentationError) in try ReferenceSectionRewriter.elementSection(s, wasm: wasm, plan: plan) }
        case SectionID.code:
            payload = code.payload(wasm: wasm, plan: plan, instrumentEntries: code.usesTailCalls)
        case SectionID.custom:
            guard let section else { return }
            try emitCustom(section, plan: plan)
            return
        default:
            payload = section.map { Array(wasm[$0.payloadStart..<$0.payloadEnd]) }
        }
        if let payload { output.appendSection(id: id, payload: payload) }
    }

    /// Custom sections are copied, except `name`, which is renumbered (or dropped if malformed).
    private mutating func emitCustom(_ section: RawSection, plan: IndexPlan) throws(InstrumentationError) {
        var reader = ByteReader(wasm, from: section.payloadStart, to: section.payloadEnd)
        let name = try reader.readName()
        guard name == Array("name".utf8) else {
            output.appendSection(id: SectionID.custom, payload: Array(wasm[section.payloadStart..<section.payloadEnd]))
            return
        }
        guard let names = NameSectionRewriter.rewrite(payloadAfterName: reader.position..<section.payloadEnd, wasm: wasm, plan: plan)
        else { return }
        var payload: [UInt8] = []
        payload.appendByteString(name)
        payload.append(contentsOf: names)
        output.appendSection(id: SectionID.custom, payload: payload)
    }
}
