/// Rewrites the `name` custom section so names keep naming the same functions after the
/// renumbering, and names the inserted checkpoint import.
///
/// Subsections keyed by function index (1 function names, 2 local names, 3 label names) are
/// renumbered; every other subsection is copied unchanged (no other index space shifts).
enum NameSectionRewriter {
    /// The name given to the inserted import in the function names subsection.
    static let checkpointFunctionName = "station:sandbox.checkpoint"

    /// Returns the rewritten payload (including the leading "name" string), or `nil` when the
    /// section is malformed — callers then drop it, since a stale name map would mislabel traps.
    static func rewrite(payloadAfterName range: Range<Int>, wasm: [UInt8], plan: IndexPlan) -> [UInt8]? {
        do {
            return try rewriteSubsections(range, wasm: wasm, plan: plan)
        } catch {
            return nil
        }
    }

    private static func rewriteSubsections(_ range: Range<Int>, wasm: [UInt8], plan: IndexPlan) throws(InstrumentationError) -> [UInt8] {
        var reader = ByteReader(wasm, from: range.lowerBound, to: range.upperBound)
        var output: [UInt8] = []
        while !reader.isAtEnd {
            let id = try reader.readByte()
            let size = try reader.readCount()
            let start = reader.position
            try reader.skip(size)
            var body = ByteReader(wasm, from: start, to: start + size)
            let newBody: [UInt8]
            switch id {
            case 1: newBody = try functionNames(&body, plan: plan)
            case 2, 3: newBody = try indirectNames(&body, plan: plan)
            default: newBody = Array(wasm[start..<start + size])
            }
            if id == 1 || id == 2 || id == 3 {
                try AppendingSectionRewriter.expectEnd(body, section: "name subsection")
            }
            output.append(id)
            output.appendByteString(newBody)
        }
        return output
    }

    /// A name map keyed by function index, with the checkpoint import's name inserted in order.
    private static func functionNames(_ reader: inout ByteReader, plan: IndexPlan) throws(InstrumentationError) -> [UInt8] {
        let count = try reader.readCount(minimumElementSize: 2)
        var entries: [UInt8] = []
        var inserted = false
        for _ in 0..<count {
            let indexOffset = reader.position
            let index = try reader.readU32()
            let name = try reader.readName()
            if !inserted, index >= plan.importedFunctionCount {
                appendCheckpointName(to: &entries, plan: plan)
                inserted = true
            }
            entries.appendUnsignedLEB(try plan.remapFunction(index, at: indexOffset))
            entries.appendByteString(name)
        }
        if !inserted { appendCheckpointName(to: &entries, plan: plan) }
        var output: [UInt8] = []
        output.appendUnsignedLEB(count + 1)
        output.append(contentsOf: entries)
        return output
    }

    private static func appendCheckpointName(to entries: inout [UInt8], plan: IndexPlan) {
        entries.appendUnsignedLEB(plan.checkpointFunctionIndex)
        entries.appendByteString(Array(checkpointFunctionName.utf8))
    }

    /// An indirect name map (function index -> name map); only the outer index is renumbered.
    private static func indirectNames(_ reader: inout ByteReader, plan: IndexPlan) throws(InstrumentationError) -> [UInt8] {
        let count = try reader.readCount(minimumElementSize: 2)
        var output: [UInt8] = []
        output.appendUnsignedLEB(count)
        for _ in 0..<count {
            let indexOffset = reader.position
            output.appendUnsignedLEB(try plan.remapFunction(try reader.readU32(), at: indexOffset))
            let innerStart = reader.position
            let innerCount = try reader.readCount(minimumElementSize: 2)
            for _ in 0..<innerCount {
                _ = try reader.readU32()
                try reader.skipByteString()
            }
            output.append(contentsOf: reader.bytes[innerStart..<reader.position])
        }
        return output
    }
}
