import SandboxEngine
import WasmParser
import WasmTypes

/// What a module declares: imports, exports, memories, tables, and the capabilities it would use.
///
/// Built by reading the binary with WasmParser, without compiling or running anything.
public struct ModuleInfo: Sendable {
    /// One import or export, described for people.
    public struct Entry: Sendable, Hashable {
        public var module: String?
        public var name: String
        /// `func`, `memory`, `table`, `global` or `tag`.
        public var kind: String
        /// The type, e.g. `(i32, i32) -> (i32)` or `pages 1..16`.
        public var type: String
        /// For functions with only numeric types, the signature.
        public var signature: FunctionSignature?

        public init(module: String?, name: String, kind: String, type: String, signature: FunctionSignature?) {
            self.module = module
            self.name = name
            self.kind = kind
            self.type = type
            self.signature = signature
        }
    }

    /// A linear memory, imported or defined.
    public struct MemoryEntry: Sendable, Hashable {
        public var minimumPages: UInt64
        public var maximumPages: UInt64?
        public var imported: Bool
        public var shared: Bool
        public var is64Bit: Bool
    }

    public var imports: [Entry] = []
    public var exports: [Entry] = []
    public var memories: [MemoryEntry] = []
    /// Tables as `(minimum, maximum)` element counts.
    public var tables: [(minimum: UInt64, maximum: UInt64?)] = []
    /// Number of functions defined (not imported) by the module.
    public var definedFunctions = 0
    public var hasStartFunction = false
    public var customSections: [String] = []

    /// The capabilities the module's imports need, in words (e.g. `filesystem (WASI)`). WASI is
    /// described here; other import modules by `catalogs` (the station ABI's lives in StationHost),
    /// and imports no catalog knows are reported as not provided.
    public func capabilities(catalogs: [any ImportCatalog] = []) -> [Capability] {
        Capability.required(by: imports, catalogs: catalogs)
    }

    /// Reads `wasm`. Throws ``SandboxError/invalidModule(reason:offset:)`` for malformed bytes.
    public init(wasm: [UInt8]) throws {
        if let problem = WasmBinaryHeader.problem(in: wasm) { throw SandboxError.invalidModule(reason: problem, offset: 4) }
        // Every feature the parser knows: whether one is supported is the engine's call, and it says so.
        var parser = Parser(bytes: wasm, features: .all)
        var types: [FunctionType?] = []
        var functionTypes: [FunctionType?] = []
        var exportEntries: [Export] = []
        do {
            while let payload = try parser.parseNext() {
                switch payload {
                case .typeSection(let groups):
                    for group in groups {
                        for subtype in group.types {
                            if case .function(let function) = subtype.body { types.append(function) } else { types.append(nil) }
                        }
                    }
                case .importSection(let entries):
                    for entry in entries {
                        imports.append(Self.describe(entry, types: types))
                        if case .memory(let memory) = entry.descriptor {
                            memories.append(MemoryEntry(minimumPages: memory.min, maximumPages: memory.max, imported: true, shared: memory.shared, is64Bit: memory.isMemory64))
                        }
                    }
                case .functionSection(let indices):
                    definedFunctions = indices.count
                    functionTypes = indices.map { Int($0) < types.count ? types[Int($0)] : nil }
                case .tableSection(let entries):
                    for table in entries { tables.append((table.type.limits.min, table.type.limits.max)) }
                case .memorySection(let entries):
                    for memory in entries {
                        memories.append(MemoryEntry(minimumPages: memory.type.min, maximumPages: memory.type.max, imported: false, shared: memory.type.shared, is64Bit: memory.type.isMemory64))
                    }
                case .exportSection(let entries):
                    exportEntries = entries
                case .startSection:
                    hasStartFunction = true
                case .customSection(let section):
                    customSections.append(section.name)
                default:
                    break
                }
            }
        } catch {
            let text = "\(error)"
            throw SandboxError.invalidModule(reason: text, offset: Self.offset(in: text))
        }
        let importedFunctions = imports.filter { $0.kind == "func" }
        for export in exportEntries {
            var entry = Entry(module: nil, name: export.name, kind: "func", type: "", signature: nil)
            switch export.descriptor {
            case .function(let index):
                let index = Int(index)
                if index < importedFunctions.count {
                    entry.type = importedFunctions[index].type
                    entry.signature = importedFunctions[index].signature
                } else if index - importedFunctions.count < functionTypes.count, let type = functionTypes[index - importedFunctions.count] {
                    entry.type = Self.describe(type)
                    entry.signature = Self.signature(type)
                }
            case .memory: entry.kind = "memory"
            case .table: entry.kind = "table"
            case .global: entry.kind = "global"
            case .tag: entry.kind = "tag"
            }
            exports.append(entry)
        }
    }

    private static func describe(_ entry: Import, types: [FunctionType?]) -> Entry {
        switch entry.descriptor {
        case .function(let index):
            let type = Int(index) < types.count ? types[Int(index)] : nil
            return Entry(module: entry.module, name: entry.name, kind: "func", type: type.map(describe) ?? "type #\(index)", signature: type.flatMap(signature))
        case .memory(let memory):
            return Entry(module: entry.module, name: entry.name, kind: "memory", type: "pages \(memory.min)..\(memory.max.map(String.init) ?? "")", signature: nil)
        case .table(let table):
            return Entry(module: entry.module, name: entry.name, kind: "table", type: "elements \(table.limits.min)..\(table.limits.max.map(String.init) ?? "")", signature: nil)
        case .global(let global):
            return Entry(module: entry.module, name: entry.name, kind: "global", type: "\(global)", signature: nil)
        case .tag:
            return Entry(module: entry.module, name: entry.name, kind: "tag", type: "", signature: nil)
        }
    }

    static func describe(_ type: FunctionType) -> String {
        "(\(type.parameters.map { "\($0)" }.joined(separator: ", "))) -> (\(type.results.map { "\($0)" }.joined(separator: ", ")))"
    }

    static func signature(_ type: FunctionType) -> FunctionSignature? {
        func convert(_ value: ValueType) -> WasmValueType? {
            switch value {
            case .i32: .i32
            case .i64: .i64
            case .f32: .f32
            case .f64: .f64
            default: nil
            }
        }
        let parameters = type.parameters.compactMap(convert)
        let results = type.results.compactMap(convert)
        guard parameters.count == type.parameters.count, results.count == type.results.count else { return nil }
        return FunctionSignature(parameters: parameters, results: results)
    }

    static func offset(in text: String) -> Int? {
        guard let range = text.range(of: "offset 0x", options: .backwards) else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isHexDigit }, radix: 16)
    }
}

/// Describes the functions of one import module for `station inspect`, so that the layer that
/// provides them (not this one) says what they need.
public protocol ImportCatalog: Sendable {
    /// The capability an import needs, in words, or nil if `module` is not this catalog's.
    /// `signature` is the import's type when it has only numeric types.
    func capability(module: String, name: String, signature: FunctionSignature?) -> String?
}

/// A capability a module's imports need. Shown by `station inspect`; the daemon checks them
/// against the module's grants.
public struct Capability: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    /// The imports that need it.
    public var imports: [String]

    public var description: String { "\(name): \(imports.joined(separator: ", "))" }

    /// Groups the imports by capability.
    static func required(by imports: [ModuleInfo.Entry], catalogs: [any ImportCatalog]) -> [Capability] {
        var groups: [String: [String]] = [:]
        var order: [String] = []
        for entry in imports {
            let module = entry.module ?? ""
            let capability = catalogs.lazy.compactMap { $0.capability(module: module, name: entry.name, signature: entry.signature) }.first
                ?? classify(module: module, name: entry.name)
            if groups[capability] == nil { order.append(capability) }
            groups[capability, default: []].append("\(entry.module ?? "").\(entry.name)")
        }
        return order.map { Capability(name: $0, imports: groups[$0] ?? []) }
    }

    static func classify(module: String, name: String) -> String {
        switch module {
        case "wasi_snapshot_preview1", "wasi_unstable":
            if name.hasPrefix("path_") || name == "fd_readdir" || name.hasPrefix("fd_prestat") || name.hasPrefix("fd_filestat") || name == "fd_allocate" {
                return "filesystem (WASI; only directories given with --dir)"
            }
            if name.hasPrefix("sock_") { return "sockets (WASI; not provided: calls return ENOSYS)" }
            if name.hasPrefix("clock_") || name == "poll_oneoff" || name == "sched_yield" { return "clocks and timers (WASI)" }
            if name == "random_get" { return "randomness (WASI)" }
            if name.hasPrefix("args_") || name.hasPrefix("environ_") { return "arguments and environment (WASI)" }
            if name.hasPrefix("proc_") { return "process exit (WASI)" }
            return "standard streams and open files (WASI)"
        default:
            return "imports from '\(module)' (not provided by this runtime)"
        }
    }
}
