import WasmParser

/// Rewrites every function body: renumbers function-index immediates, inserts the checkpoint
/// sequence after each `loop` block type, and (when the module contains tail calls) at each
/// function entry.
///
/// Instruction boundaries come from `WasmParser.ExpressionParser`, the decoder WasmKit itself
/// uses; bytes between rewrite points are copied verbatim.
struct CodeSectionRewriter {
    /// Rewritten expression bytes of all bodies, back to back.
    private var expressions: [UInt8] = []
    /// Per body: the original locals declaration range and the rewritten expression range.
    private var bodies: [(locals: Range<Int>, expression: Range<Int>)] = []
    private(set) var loopCount = 0
    private(set) var usesTailCalls = false

    /// Walks the code section once; `section` is `nil` when the module has no code.
    init(section: RawSection?, wasm: [UInt8], summary: ModuleSummary, plan: IndexPlan) throws(InstrumentationError) {
        guard let section else { return }
        var reader = ByteReader(wasm, from: section.payloadStart, to: section.payloadEnd)
        let count = try reader.readCount(minimumElementSize: 2)
        guard count == summary.codes.count else {
            throw reader.error("code section has \(count) bodies but WasmParser read \(summary.codes.count)")
        }
        expressions.reserveCapacity(section.payloadEnd - section.payloadStart + section.payloadEnd / 8)
        bodies.reserveCapacity(count)
        let checkpoint = plan.checkpointSequence
        for code in summary.codes {
            let sizeOffset = reader.position
            let size = try reader.readCount()
            let bodyEnd = reader.position + size
            let localsStart = reader.position
            var locals = ByteReader(wasm, from: localsStart, to: bodyEnd)
            let groupCount = try locals.readCount(minimumElementSize: 2)
            for _ in 0..<groupCount {
                _ = try locals.readU32()
                try locals.skipValueType()
            }
            let expressionStart = locals.position
            try reader.skip(size)
            let rewrittenStart = expressions.count
            try rewriteExpression(
                code, from: expressionStart, to: bodyEnd, wasm: wasm, plan: plan, checkpoint: checkpoint,
                bodyOffset: sizeOffset)
            bodies.append((localsStart..<expressionStart, rewrittenStart..<expressions.count))
        }
        try AppendingSectionRewriter.expectEnd(reader, section: "code")
    }

    private mutating func rewriteExpression(
        _ code: Code, from expressionStart: Int, to bodyEnd: Int, wasm: [UInt8], plan: IndexPlan,
        checkpoint: [UInt8], bodyOffset: Int
    ) throws(InstrumentationError) {
        var parser = ExpressionParser(code: code)
        guard parser.offset == expressionStart, code.expression.count == bodyEnd - expressionStart else {
            throw InstrumentationError("function body framing disagrees with WasmParser", offset: bodyOffset)
        }
        var classifier = InstructionClassifier()
        var copyFrom = expressionStart
        while true {
            let instructionStart = parser.offset
            let visit: ExpressionParser.Visit?
            do {
                visit = try parser.parse()
            } catch {
                throw InstrumentationError.fromParser(error, fallbackOffset: instructionStart)
            }
            guard let visit else { break }
            visit(visitor: &classifier)
            let instructionEnd = parser.offset
            switch classifier.role {
            case .plain:
                break
            case .loop:
                expressions.append(contentsOf: wasm[copyFrom..<instructionEnd])
                expressions.append(contentsOf: checkpoint)
                copyFrom = instructionEnd
                loopCount += 1
            case .functionReference(let opcode, let functionIndex, let isTailCall):
                guard wasm[instructionStart] == opcode else {
                    throw InstrumentationError("unexpected encoding of a function reference", offset: instructionStart)
                }
                expressions.append(contentsOf: wasm[copyFrom..<instructionStart])
                expressions.append(opcode)
                expressions.appendUnsignedLEB(try plan.remapFunction(functionIndex, at: instructionStart))
                copyFrom = instructionEnd
                if isTailCall { usesTailCalls = true }
            case .indirectTailCall:
                usesTailCalls = true
            case .globalAccess(let globalIndex):
                try plan.checkGlobal(globalIndex, at: instructionStart)
            }
        }
        guard parser.offset == bodyEnd else {
            throw InstrumentationError("function body continues after its final end", offset: parser.offset)
        }
        expressions.append(contentsOf: wasm[copyFrom..<bodyEnd])
    }

    /// The new code section payload. With `instrumentEntries`, each body starts with the
    /// checkpoint sequence (right after its locals).
    func payload(wasm: [UInt8], plan: IndexPlan, instrumentEntries: Bool) -> [UInt8] {
        let entry = instrumentEntries ? plan.checkpointSequence : []
        var payload: [UInt8] = []
        payload.reserveCapacity(expressions.count + bodies.count * (entry.count + 8) + 8)
        payload.appendUnsignedLEB(bodies.count)
        for body in bodies {
            payload.appendUnsignedLEB(body.locals.count + entry.count + body.expression.count)
            payload.append(contentsOf: wasm[body.locals])
            payload.append(contentsOf: entry)
            payload.append(contentsOf: expressions[body.expression])
        }
        return payload
    }
}
