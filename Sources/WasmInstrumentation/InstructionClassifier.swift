import WasmParser

/// What the code rewriter needs to know about one instruction.
enum InstructionRole: Equatable {
    /// Copied verbatim.
    case plain
    /// A `loop`: the checkpoint sequence goes right after its block type.
    case loop
    /// `call`, `return_call` or `ref.func`: the function-index immediate is renumbered.
    case functionReference(opcode: UInt8, functionIndex: UInt32, isTailCall: Bool)
    /// `return_call_indirect` / `return_call_ref`: copied, but the module can loop without `loop`.
    case indirectTailCall
    /// `global.get` / `global.set`: copied, after checking the index exists in the original module.
    case globalAccess(globalIndex: UInt32)
}

/// A `WasmParser` visitor that records the role of the instruction it was shown last.
struct InstructionClassifier: AnyInstructionVisitor {
    typealias VisitorError = Never

    var binaryOffset: Int = 0
    private(set) var role: InstructionRole = .plain

    mutating func visit(_ instruction: Instruction) {
        switch instruction {
        case .loop:
            role = .loop
        case .call(let functionIndex):
            role = .functionReference(opcode: 0x10, functionIndex: functionIndex, isTailCall: false)
        case .returnCall(let functionIndex):
            role = .functionReference(opcode: 0x12, functionIndex: functionIndex, isTailCall: true)
        case .refFunc(let functionIndex):
            role = .functionReference(opcode: 0xD2, functionIndex: functionIndex, isTailCall: false)
        case .returnCallIndirect, .returnCallRef:
            role = .indirectTailCall
        case .globalGet(let globalIndex), .globalSet(let globalIndex):
            role = .globalAccess(globalIndex: globalIndex)
        default:
            role = .plain
        }
    }
}
