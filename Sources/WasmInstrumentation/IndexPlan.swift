/// The indices the rewrite introduces, and how old function indices map to new ones.
///
/// The checkpoint import becomes the last imported function, so every defined function moves up
/// by one. The budget global and the checkpoint type are appended at the end of their index
/// spaces, so no global or type index changes.
struct IndexPlan {
    let importedFunctionCount: UInt32
    let originalFunctionCount: UInt32
    let originalGlobalCount: UInt32
    /// Index of the new `() -> i32` type.
    let checkpointTypeIndex: UInt32
    /// Function index of the new checkpoint import.
    var checkpointFunctionIndex: UInt32 { importedFunctionCount }
    /// Global index of the new mutable i32 budget counter.
    var budgetGlobalIndex: UInt32 { originalGlobalCount }

    init(summary: ModuleSummary) throws(InstrumentationError) {
        let functionCount = summary.importedFunctionCount + summary.definedFunctionCount
        guard functionCount < Int(UInt32.max), summary.globalCount < Int(UInt32.max),
            summary.typeCount < Int(UInt32.max)
        else {
            throw InstrumentationError("too many functions, globals or types", offset: nil)
        }
        importedFunctionCount = UInt32(summary.importedFunctionCount)
        originalFunctionCount = UInt32(functionCount)
        originalGlobalCount = UInt32(summary.globalCount)
        checkpointTypeIndex = UInt32(summary.typeCount)
    }

    /// The new index of function `index`; throws for an index the original module does not have
    /// (so that the inserted import can never make a dangling reference valid).
    func remapFunction(_ index: UInt32, at offset: Int) throws(InstrumentationError) -> UInt32 {
        guard index < originalFunctionCount else {
            throw InstrumentationError("function index \(index) out of range (module has \(originalFunctionCount))", offset: offset)
        }
        return index < importedFunctionCount ? index : index + 1
    }

    /// Rejects references to a global the original module does not have: after the budget global
    /// is appended such a reference would otherwise become valid and let the guest reset its budget.
    func checkGlobal(_ index: UInt32, at offset: Int) throws(InstrumentationError) {
        guard index < originalGlobalCount else {
            throw InstrumentationError("global index \(index) out of range (module has \(originalGlobalCount))", offset: offset)
        }
    }

    /// The stack-neutral sequence run at every loop header (and function entry when the module
    /// uses tail calls):
    ///
    ///     global.get $budget  i32.const 1  i32.sub  global.set $budget
    ///     global.get $budget  i32.const 0  i32.le_s
    ///     if  call $checkpoint  global.set $budget  end
    var checkpointSequence: [UInt8] {
        var code: [UInt8] = []
        code.append(0x23); code.appendUnsignedLEB(budgetGlobalIndex)  // global.get
        code.append(contentsOf: [0x41, 0x01, 0x6B])  // i32.const 1, i32.sub
        code.append(0x24); code.appendUnsignedLEB(budgetGlobalIndex)  // global.set
        code.append(0x23); code.appendUnsignedLEB(budgetGlobalIndex)  // global.get
        code.append(contentsOf: [0x41, 0x00, 0x4C])  // i32.const 0, i32.le_s
        code.append(contentsOf: [0x04, 0x40])  // if (empty block type)
        code.append(0x10); code.appendUnsignedLEB(checkpointFunctionIndex)  // call
        code.append(0x24); code.appendUnsignedLEB(budgetGlobalIndex)  // global.set
        code.append(0x0B)  // end
        return code
    }
}
