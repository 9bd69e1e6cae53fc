import Foundation
import Sandbox
import SandboxEngine
import StationHost
import Testing

@Suite("the station ABI table")
struct StationImportsTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `(section heading, name, signature)` for every function row of docs/abi.md.
    static func documentedFunctions() throws -> [(section: String, name: String, signature: String)] {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("docs/abi.md"), encoding: .utf8)
        var section = ""
        var rows: [(String, String, String)] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") { section = String(line.dropFirst(3)) }
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard line.hasPrefix("|"), cells.count >= 2, cells[0].hasPrefix("`"), cells[1].hasPrefix("`(") else { continue }
            rows.append((section, cells[0].trimmingCharacters(in: ["`"]), cells[1].trimmingCharacters(in: ["`"])))
        }
        return rows
    }

    @Test("docs/abi.md lists exactly the table's functions, in its order, with its signatures and sections")
    func docsMatchTheTable() throws {
        let documented = try Self.documentedFunctions()
        #expect(documented.map(\.name) == StationImports.all.map(\.name))
        for (row, function) in zip(documented, StationImports.all) {
            #expect(row.signature == function.documentedSignature, "\(function.name): docs say \(row.signature)")
            #expect(row.section.hasPrefix(function.section.rawValue), "\(function.name) is documented under '\(row.section)'")
        }
    }

    @Test("the binder registers every function of the table, once, with the table's type")
    func binderMatchesTheTable() {
        let operations = StationOperations(
            configuration: StationModuleConfiguration(identity: StationIdentity(moduleName: "t", stationID: "", walletAddress: "")),
            events: CollectingEventSink(), jobs: JobLedger(sink: CollectingEventSink()))
        let bound = StationABI.hostFunctions(operations)
        #expect(bound.map(\.name) == StationImports.all.map(\.name))
        for function in bound {
            #expect(function.module == "station")
            #expect(function.signature == StationImports.named(function.name)?.signature, "\(function.name)")
        }
    }

    @Test("documented signatures parse into WebAssembly types", arguments: [
        ("poll", "(i32, i32, i32, i64) -> (i32)"),
        ("http_request", "(i32, i32, i32, i32, i32, i32, i32, i32, i64) -> (i32)"),
        ("job_completed", "() -> (i32)"),
        ("kv_list", "(i32, i32, i32, i32, i32, i32) -> (i32)"),
    ])
    func signatures(name: String, expected: String) throws {
        let function = try #require(StationImports.named(name))
        #expect(function.signature.description == expected)
    }

    @Test("the byte counts the meter reads are where the docs put them")
    func byteCounts() throws {
        #expect(StationImports.named("read")?.byteCount == .resultReceived)
        #expect(StationImports.named("write")?.byteCount == .resultSent)
        let request = try #require(StationImports.named("http_request"))
        guard case .parameterSent(let name) = request.byteCount else {
            Issue.record("http_request has no sent-bytes parameter")
            return
        }
        #expect(request.parameters.firstIndex { $0.name == name } == 7)
        #expect(StationImports.all.filter { $0.byteCount != nil }.map(\.name) == ["read", "http_request", "http_request_options", "write"])
        let withOptions = try #require(StationImports.named("http_request_options"))
        #expect(withOptions.byteCount == request.byteCount)
        #expect(withOptions.parameters.map(\.name) == request.parameters.map(\.name) + ["options"])
    }

    static func entry(_ name: String, module: String = "station") -> ModuleInfo.Entry {
        ModuleInfo.Entry(module: module, name: name, kind: "func", type: "", signature: StationImports.named(name)?.signature)
    }

    @Test("missing grants are listed per grant, and ungated or foreign imports are ignored", arguments: [
        (["kv_get", "kv_put", "http_request", "activity", "fd_write"], Set<StationImport.Grant>(), [StationImport.Grant.kv: ["kv_get", "kv_put"], .net: ["http_request"]]),
        (["kv_get", "http_request"], [.kv, .net], [:]),
        (["p2p_dial", "ipfs_get", "poll", "read"], [.ipfs], [.p2p: ["p2p_dial"]]),
        (["abi_version", "job_completed", "module_name"], [], [:]),
    ] as [([String], Set<StationImport.Grant>, [StationImport.Grant: [String]])])
    func missingGrants(imports: [String], granted: Set<StationImport.Grant>, expected: [StationImport.Grant: [String]]) {
        let entries = imports.map { $0 == "fd_write" ? Self.entry($0, module: "wasi_snapshot_preview1") : Self.entry($0) }
        let missing = StationImports.missingGrants(imports: entries, granted: granted)
        #expect(Dictionary(uniqueKeysWithValues: missing.map { ($0.grant, $0.imports) }) == expected)
        #expect(missing.map(\.grant) == missing.map(\.grant).sorted())
    }

    @Test("inspect's catalog: provided functions name their grant; unknown names and wrong types say the module will not load")
    func catalog() {
        let catalog = StationImportCatalog()
        #expect(catalog.capability(module: "wasi_snapshot_preview1", name: "fd_write", signature: nil) == nil)
        #expect(catalog.capability(module: "station", name: "kv_get", signature: StationImports.named("kv_get")?.signature)?.contains("--kv FILE") == true)
        #expect(catalog.capability(module: "station", name: "http_request", signature: nil)?.contains("--allow-net") == true)
        #expect(catalog.capability(module: "station", name: "poll", signature: nil)?.contains("provided to every module") == true)
        #expect(catalog.capability(module: "station", name: "teleport", signature: nil)?.contains("will not load") == true)
        let wrong = FunctionSignature(parameters: [.i32], results: [.i32])
        #expect(catalog.capability(module: "station", name: "kv_get", signature: wrong)?.contains("wrong type") == true)
    }
}
