/// Rewrites a WebAssembly module so that running code periodically calls back into the host,
/// which can then enforce a deadline (by throwing) or throttle CPU share (by sleeping).
///
/// Every `loop` header, and every function entry when the module uses tail calls (which can loop
/// without a `loop`), decrements a budget counter held in a new mutable i32 global. When the
/// counter reaches zero, the code calls the new import `"station:sandbox" "checkpoint"` of type
/// `() -> i32` and stores its result as the next budget.
///
/// The rewrite is a pure function of the input bytes; see `docs/interruption.md`.
public enum LoopInstrumenter {
    /// Module name of the import the rewritten module needs.
    public static let checkpointModule = "station:sandbox"
    /// Field name of the import the rewritten module needs; its type is `() -> i32`.
    public static let checkpointName = "checkpoint"

    /// Rewrites `wasm`. Returns the input unchanged (and `instrumented == false`) when there is
    /// nothing to instrument.
    ///
    /// - Parameters:
    ///   - wasm: A WebAssembly core module in binary format.
    ///   - initialBudget: The budget counter's initial value: loop iterations (and, with tail
    ///     calls, function entries) before the first checkpoint call.
    /// - Throws: ``InstrumentationError`` (naming the byte offset) for malformed input.
    public static func instrument(_ wasm: [UInt8], initialBudget: Int32 = 10_000) throws -> InstrumentedModule {
        try instrumentTyped(wasm, initialBudget: initialBudget)
    }

    static func instrumentTyped(_ wasm: [UInt8], initialBudget: Int32) throws(InstrumentationError) -> InstrumentedModule {
        let sections = try SectionLayout.sections(of: wasm)
        let summary = try ModuleSummary(parsing: wasm)
        let plan = try IndexPlan(summary: summary)
        let code = try CodeSectionRewriter(
            section: sections.first { $0.id == SectionID.code }, wasm: wasm, summary: summary, plan: plan)
        guard code.loopCount > 0 || code.usesTailCalls else {
            return InstrumentedModule(bytes: wasm, instrumented: false, loopCount: 0)
        }
        var assembler = ModuleAssembler(wasm: wasm, sections: sections)
        try assembler.assemble(plan: plan, code: code, initialBudget: initialBudget)
        return InstrumentedModule(bytes: assembler.output, instrumented: true, loopCount: code.loopCount)
    }
}
