import ArgumentParser
import Foundation
import Sandbox
import SandboxEngine
import Units
import StationHost

/// `station inspect`: what a module imports and exports, and what it would need.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a module's imports, exports, memory and the capabilities it would need.",
        discussion: "Reads the module without running it. Exit status 65 for an invalid module."
    )

    @Argument(help: ArgumentHelp("The module: a .wasm binary or .wat text.", valueName: "MODULE"))
    var module: String

    func run() throws {
        if JavaScriptModule.isJavaScript(module) { return try inspectJavaScript() }
        let info: ModuleInfo
        let loaded: LoadedModule
        do {
            loaded = try ModuleLoader.load(path: module)
            info = try ModuleInfo(wasm: loaded.wasm)
        } catch let error as SandboxError {
            Diagnostics.report(module: module, error)
            throw ExitCode(error.exitStatus)
        }
        print("module: \(loaded.name) (\(loaded.wasm.count) bytes, sha256 \(loaded.sha256))")
        print("functions: \(info.definedFunctions) defined, \(info.imports.filter { $0.kind == "func" }.count) imported\(info.hasStartFunction ? ", has a start function" : "")")
        if info.memories.isEmpty {
            print("memory: none")
        }
        for memory in info.memories {
            let minimum = Units.formatBytes(memory.minimumPages * 65536)
            let maximum = memory.maximumPages.map { Units.formatBytes($0 * 65536) } ?? "unbounded (the runtime's --memory limit applies)"
            print("memory: initial \(minimum), maximum \(maximum)\(memory.imported ? ", imported" : "")\(memory.shared ? ", shared" : "")\(memory.is64Bit ? ", 64-bit" : "")")
        }
        for table in info.tables {
            print("table: initial \(table.minimum) elements, maximum \(table.maximum.map(String.init) ?? "unbounded")")
        }
        print("imports (\(info.imports.count)):")
        for entry in info.imports {
            print("  \(entry.module ?? "").\(entry.name): \(entry.kind) \(entry.type)")
        }
        print("exports (\(info.exports.count)):")
        for entry in info.exports {
            print("  \(entry.name): \(entry.kind) \(entry.type)")
        }
        print("capabilities:")
        let capabilities = info.capabilities(catalogs: [StationImportCatalog()])
        if capabilities.isEmpty { print("  none (pure computation)") }
        for capability in capabilities {
            print("  \(capability.name)")
            if capability.name.hasPrefix("unknown") || capability.name.contains("wrong type") {
                print("    \(capability.imports.joined(separator: ", "))")
            }
        }
        if !info.customSections.isEmpty {
            print("custom sections: \(info.customSections.joined(separator: ", "))")
        }
    }
}

extension InspectCommand {
    /// A JavaScript module has no imports or exports of its own: say what runs it.
    func inspectJavaScript() throws {
        let script: JavaScriptModule
        do throws(SandboxError) {
            script = try JavaScriptModule(entry: module)
        } catch {
            Diagnostics.report(module: module, error)
            throw ExitCode(error.exitStatus)
        }
        print("module: \(script.name) (a JavaScript module, run by the \(JavaScriptEngine.name) engine module)")
        print("entry: \(script.entryInRoot)")
        print("root: \(script.root) (seen read-only as '/'; imports must stay inside it)")
        print("engine: \(JavaScriptEngine.status())")
    }
}
