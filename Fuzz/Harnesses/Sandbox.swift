import Sandbox
import WasmParser

extension Harness {
    /// WebAssembly text as `station run x.wat` reads it: ModuleLoader.compileText (the nesting
    /// guard, then WasmKit's wat2wasm on a large-stack thread). Whatever it accepts must be a
    /// binary that WasmKit's parser reads to the end and that ModuleInfo can describe.
    public static func wat(_ bytes: [UInt8]) throws {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let wasm = try? ModuleLoader.compileText(text, loadTime: nil) else { return }
        try fuzzCheck(wasm.count >= 8 && Array(wasm.prefix(4)) == [0x00, 0x61, 0x73, 0x6D], "no wasm header")
        var parser = WasmParser.Parser(bytes: wasm, features: .all)
        do {
            while try parser.parseNext() != nil {}
        } catch {
            try fuzzCheck(false, "compiled text does not parse: \(error)")
        }
        try fuzzCheck((try? ModuleInfo(wasm: wasm)) != nil, "ModuleInfo refuses compiled text")
    }

    /// `station inspect` and the loader's capability check read untrusted wasm with
    /// ModuleInfo(wasm:): malformed bytes must give an error, and what parses must describe itself.
    public static func moduleInfo(_ bytes: [UInt8]) throws {
        guard let info = try? ModuleInfo(wasm: bytes) else { return }
        _ = info.capabilities(catalogs: []).map(\.description)
        for entry in info.imports + info.exports { _ = entry.type }
        try fuzzCheck(info.definedFunctions >= 0, "negative function count")
    }
}
