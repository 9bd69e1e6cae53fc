import ArgumentParser
import Foundation
import Sandbox
import SandboxEngine

/// `station version`: our version and the engines this machine can use.
struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print station's version, which engines are available and the JavaScript engine."
    )

    func run() throws {
        print(StationVersion.text)
        let chosen = (try? EngineFactory.engine(.auto, settings: EngineSettings()))?.version ?? "none"
        print("engine (auto): \(chosen)")
        for (kind, status) in EngineFactory.availability() {
            print("  \(kind): \(status)")
        }
        print("javascript: \(JavaScriptEngine.status())")
    }
}

/// `station engine`: engine management.
struct EngineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine",
        abstract: "Show where station looks for Wasmtime and whether it is usable.",
        discussion: """
            Wasmtime 50.0.1 is loaded at run time from, in order: $STATION_WASMTIME_LIB, \
            ${XDG_DATA_HOME:-~/.local/share}/station/engines/wasmtime-50.0.1/libwasmtime.so, \
            /usr/local/lib/libwasmtime.so, /usr/lib/libwasmtime.so. Only the exact 50.0.1 \
            library is accepted. To install it, run: bash scripts/install-extras
            """
    )

    func run() throws {
        for (kind, status) in EngineFactory.availability() {
            print("\(kind): \(status)")
        }
    }
}
