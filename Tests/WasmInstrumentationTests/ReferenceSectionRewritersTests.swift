import Testing
import WasmInstrumentation
import WasmParser

/// Element segments in all eight encodings, a table initialiser, a global initialiser, exports
/// and the start function: every function index must move past the inserted import.
@Suite struct ReferenceSectionRewritersTests {
    typealias M = SyntheticModule

    /// One imported function (index 0) and three defined ones (1, 2, 3) of type `() -> i32`.
    static let module: [UInt8] = {
        let refFunc = { (index: Int) -> [UInt8] in [0xD2] + M.leb(index) + [0x0B] }
        let i32Const = { (value: Int) -> [UInt8] in [0x41] + M.signedLEB(value) + [0x0B] }
        let segments: [[UInt8]] = [
            [0x00] + i32Const(0) + M.vector([M.leb(1)]),
            [0x01, 0x00] + M.vector([M.leb(2)]),
            [0x02, 0x00] + i32Const(1) + [0x00] + M.vector([M.leb(3)]),
            [0x03, 0x00] + M.vector([M.leb(1), M.leb(0)]),
            [0x04] + i32Const(2) + M.vector([refFunc(2), [0xD0, 0x70, 0x0B]]),
            [0x05, 0x70] + M.vector([refFunc(3)]),
            [0x06, 0x00] + i32Const(3) + [0x70] + M.vector([refFunc(1)]),
            [0x07, 0x70] + M.vector([refFunc(0), refFunc(3)]),
        ]
        let body = { (value: Int, loop: Bool) -> [UInt8] in
            let expression: [UInt8] = loop ? [0x03, 0x40, 0x0B] + i32Const(value) : i32Const(value)
            return M.leb(expression.count + 1) + [0x00] + expression
        }
        var wasm = M.header
        wasm += M.section(1, M.vector([[0x60, 0x00, 0x01, 0x7F], [0x60, 0x00, 0x00]]))
        wasm += M.section(2, M.vector([[0x03] + Array("env".utf8) + [0x01] + Array("f".utf8) + [0x00, 0x00]]))
        wasm += M.section(3, M.vector([[0x00], [0x00], [0x00], [0x01]]))
        wasm += M.section(4, M.vector([[0x70, 0x00, 0x08], [0x40, 0x00, 0x70, 0x00, 0x02] + refFunc(2)]))
        wasm += M.section(6, M.vector([[0x70, 0x00] + refFunc(3)]))
        wasm += M.section(7, M.vector([
            [0x05] + Array("three".utf8) + [0x00, 0x03],
            [0x06] + Array("import".utf8) + [0x00, 0x00],
            [0x03] + Array("tab".utf8) + [0x01, 0x00],
        ]))
        wasm += M.section(8, [0x04])
        wasm += M.section(9, M.vector(segments))
        wasm += M.section(10, M.vector([body(10, true), body(20, false), body(30, false), [0x02, 0x00, 0x0B]]))
        return wasm
    }()

    struct Declarations: Equatable {
        var elements: [ElementSegment] = []
        var tables: [Table] = []
        var globals: [Global] = []
        var exports: [Export] = []
        var start: UInt32?
        var imports: [Import] = []
    }

    static func declarations(of wasm: [UInt8]) throws -> Declarations {
        var parser = Parser(bytes: wasm, features: .all)
        var result = Declarations()
        while let payload = try parser.parseNext() {
            switch payload {
            case .elementSection(let segments): result.elements = segments
            case .tableSection(let tables): result.tables = tables
            case .globalSection(let globals): result.globals = globals
            case .exportSection(let exports): result.exports = exports
            case .startSection(let index): result.start = index
            case .importSection(let imports): result.imports = imports
            default: break
            }
        }
        return result
    }

    static func shifted(_ expression: ConstExpression) -> ConstExpression {
        expression.map { instruction in
            if case .refFunc(let index) = instruction, index >= 1 { return .refFunc(functionIndex: index + 1) }
            return instruction
        }
    }

    @Test func everyFunctionReferenceMovesPastTheInsertedImport() throws {
        let before = try Self.declarations(of: Self.module)
        let module = try LoopInstrumenter.instrument(Self.module)
        #expect(module.instrumented)
        let after = try Self.declarations(of: module.bytes)

        #expect(before.elements.count == 8)
        #expect(after.elements.count == 8)
        for (old, new) in zip(before.elements, after.elements) {
            #expect(new.type == old.type)
            #expect(new.mode == old.mode)
            #expect(new.initializer == old.initializer.map(Self.shifted))
        }
        #expect(after.tables.count == 2)
        #expect(after.tables[1].initializer == before.tables[1].initializer.map(Self.shifted))
        #expect(after.tables[1].initializer != before.tables[1].initializer)
        #expect(after.globals.count == before.globals.count + 1)
        #expect(after.globals[0].initializer == Self.shifted(before.globals[0].initializer))
        #expect(after.start == 5)
        let exports = Dictionary(uniqueKeysWithValues: after.exports.map { ($0.name, $0.descriptor) })
        #expect(exports["three"] == .function(4))
        #expect(exports["import"] == .function(0))
        #expect(exports["tab"] == .table(0))
        #expect(after.imports.last?.module == LoopInstrumenter.checkpointModule)
        #expect(after.imports.last?.name == LoopInstrumenter.checkpointName)
        #expect(after.imports.last?.descriptor == .function(2))
    }

    @Test func budgetGlobalIsAMutableI32WithTheInitialBudget() throws {
        let module = try LoopInstrumenter.instrument(Self.module, initialBudget: -1234)
        let after = try Self.declarations(of: module.bytes)
        let budget = try #require(after.globals.last)
        #expect(budget.type == GlobalType(mutability: .variable, valueType: .i32))
        #expect(budget.initializer.first == .i32Const(value: -1234))
    }

    @Test func constantExpressionWithAForbiddenOpcodeIsRejected() throws {
        var wasm = Self.module
        // Turn the global initialiser's ref.func (0xD2) into `call` (0x10).
        let globalSection = try #require(wasm.indices.first { wasm[$0] == 0x06 && wasm[$0 + 2] == 0x01 && wasm[$0 + 3] == 0x70 })
        try #require(wasm[globalSection + 5] == 0xD2)
        wasm[globalSection + 5] = 0x10
        #expect(throws: (any Error).self) { try LoopInstrumenter.instrument(wasm) }
    }
}
