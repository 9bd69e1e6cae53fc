import WasmParser

/// The facts about a module that instrumentation needs, read with WasmKit's `WasmParser`.
///
/// Parsing the whole module here also checks its overall structure (header, section order and
/// sizes, every section's contents) before a single byte is rewritten.
struct ModuleSummary {
    /// Number of types, counting every member of a GC recursion group.
    var typeCount = 0
    var importedFunctionCount = 0
    var importedGlobalCount = 0
    var definedFunctionCount = 0
    var definedGlobalCount = 0
    /// Function bodies, in code-section order; each knows where its expression starts.
    var codes: [Code] = []

    /// Total globals before instrumentation; also the index of the budget global we add.
    var globalCount: Int { importedGlobalCount + definedGlobalCount }

    /// The features the instrumenter parses with: every proposal `WasmParser` knows, so that any
    /// module some engine configuration accepts is measured instruction by instruction correctly.
    static let parsingFeatures: WasmFeatureSet = .all

    init(parsing wasm: [UInt8]) throws(InstrumentationError) {
        var parser = Parser(bytes: wasm, features: Self.parsingFeatures)
        do {
            while let payload = try parser.parseNext() {
                switch payload {
                case .typeSection(let groups):
                    typeCount = groups.reduce(0) { $0 + $1.types.count }
                case .importSection(let imports):
                    for entry in imports {
                        switch entry.descriptor {
                        case .function: importedFunctionCount += 1
                        case .global: importedGlobalCount += 1
                        default: break
                        }
                    }
                case .functionSection(let typeIndices):
                    definedFunctionCount = typeIndices.count
                case .globalSection(let globals):
                    definedGlobalCount = globals.count
                case .codeSection(let codes):
                    self.codes = codes
                default:
                    break
                }
            }
        } catch {
            throw InstrumentationError.fromParser(error, fallbackOffset: parser.offset)
        }
        guard codes.count == definedFunctionCount else {
            throw InstrumentationError(
                "function section declares \(definedFunctionCount) functions but the code section has \(codes.count) bodies",
                offset: nil)
        }
    }
}

extension InstrumentationError {
    /// Wraps a `WasmParser` error; its description already names the offset when it knows it.
    static func fromParser(_ error: WasmParserError, fallbackOffset: Int) -> InstrumentationError {
        let text = String(describing: error)
        return InstrumentationError(text, offset: text.contains("offset") ? nil : fallbackOffset)
    }
}
