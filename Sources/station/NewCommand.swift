import ArgumentParser
import Foundation

/// `station new NAME [--lang rust|c|js]`: writes a module folder that builds and runs with the
/// commands it prints.
struct NewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Write a new module folder (Rust, C or JavaScript) that fetches, counts and reports.",
        discussion: """
            Writes NAME/ in the current folder: module.toml (for the daemon), a source file that \
            GETs a URL, counts its runs in the key-value store and reports activity and a \
            completed job, a build script (Rust and C) and a README. Then prints the commands \
            that build and run it, one per line starting with "$ ", each runnable from the \
            folder where `station new` ran.

            The default language is rust: modules come first in Rust (the Rust SDK wraps the \
            whole station ABI with an async executor). Rust needs Debian's rustc 1.63 with the \
            wasm32-wasi std (bash scripts/install-rust-toolchain); C needs clang-19 and \
            wasi-libc; JavaScript needs the station-js engine (both: bash scripts/install-extras).

            Rust and C modules use the SDK of the station checkout this binary was built in \
            (found by walking up from the binary's location); set STATION_SDK=/path/to/sdk to \
            use another. Its absolute path is written into the module's build files.

            Examples:
              station new checker
              station new checker --lang c
              station new checker --lang js
            """
    )

    /// The languages `station new` writes.
    enum Language: String, ExpressibleByArgument, CaseIterable {
        case rust, c, js
    }

    @Argument(help: ArgumentHelp("The module's name, also its folder: letters, digits, '_' and '-', starting with a letter.", valueName: "NAME"))
    var name: String

    @Option(name: .long, help: ArgumentHelp("The module's language: rust, c or js.", valueName: "LANG"))
    var lang: Language = .rust

    func run() throws {
        if let problem = NewModule.nameProblem(name, language: lang) {
            throw fail("station new: the module name \(problem)", CommandExit.usage)
        }
        let folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(name)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
            let empty = isDirectory.boolValue && ((try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.isEmpty ?? false)
            if !empty {
                throw fail("station new: \(name) already exists and is not an empty folder; choose another name or remove it", CommandExit.usage)
            }
        }
        var sdk: URL?
        if lang != .js {
            do {
                sdk = try NewModule.locateSDK()
            } catch let error as NewModule.SDKNotFound {
                throw fail("station new: \(error.message)", CommandExit.missingInput)
            }
        }
        let files = NewModule.files(name: name, language: lang, sdk: sdk)
        do {
            for (path, contents) in files {
                let url = folder.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(contents.utf8).write(to: url)
                if path.hasSuffix(".sh") {
                    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
                }
            }
        } catch {
            throw fail("station new: cannot write \(folder.path): \(error.localizedDescription)", CommandExit.software)
        }
        print("Created \(name)/ (\(lang.rawValue)): \(files.map(\.0).sorted().joined(separator: ", "))")
        print("Something must answer on \(NewModule.origin) (for instance: python3 -m http.server 8080 --bind 127.0.0.1, in another terminal). Then:")
        for command in NewModule.commands(name: name, language: lang) {
            print("$ \(command)")
        }
    }

    private func fail(_ message: String, _ status: Int32) -> ExitCode {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        return ExitCode(status)
    }
}

/// What `station new` writes and prints (the templates are in NewCommandTemplates.swift).
enum NewModule {
    /// The loopback origin the new module is granted and fetches by default.
    static let origin = "http://127.0.0.1:8080"

    /// Why `name` cannot name a new module, or nil. A subset of the daemon's module-name rule
    /// (ASCII letters, digits, `.`, `_`, `-`, at most 64): no `.` and a letter first, so the name is
    /// also a Cargo package and binary name, a file name and a shell word needing no quotes.
    static func nameProblem(_ name: String, language: NewCommand.Language) -> String? {
        if name.isEmpty { return "must not be empty" }
        if name.utf8.count > 64 { return "'\(name)' is longer than 64 characters" }
        let bytes = Array(name.utf8)
        let letter: (UInt8) -> Bool = { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
        if !letter(bytes[0]) { return "'\(name)' must start with a letter" }
        let valid = bytes.allSatisfy { letter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
        if !valid { return "'\(name)' may only use letters, digits, '_' and '-'" }
        // Names Cargo refuses for a package or binary, or that clash with its output folders or
        // with the SDK crate the module depends on.
        let cargoReserved: Set<String> = ["station", "test", "std", "core", "alloc", "proc_macro", "deps", "build", "examples", "incremental"]
        if language == .rust && cargoReserved.contains(name.lowercased()) {
            return "'\(name)' cannot be a Cargo package or binary name here; choose another"
        }
        return nil
    }

    struct SDKNotFound: Error { var message: String }

    /// The checkout's `sdk` folder: `$STATION_SDK`, else the first `sdk` holding both SDKs in a
    /// folder above this binary (it is built inside the checkout, in `.build*/…/station`).
    static func locateSDK(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        func complete(_ sdk: URL) -> Bool {
            FileManager.default.fileExists(atPath: sdk.appendingPathComponent("rust/station/Cargo.toml").path)
                && FileManager.default.fileExists(atPath: sdk.appendingPathComponent("c/station.h").path)
        }
        if let given = environment["STATION_SDK"], !given.isEmpty {
            let sdk = URL(fileURLWithPath: given).standardizedFileURL
            if complete(sdk) { return sdk }
            throw SDKNotFound(message: "STATION_SDK=\(given) does not hold rust/station/Cargo.toml and c/station.h; point it at the sdk folder of a station checkout")
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let start = FileManager.default.fileExists(atPath: executable.path) && executable.path != "/proc/self/exe"
            ? executable
            : URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = start.deletingLastPathComponent()
        while folder.path != "/" && !folder.path.isEmpty {
            let sdk = folder.appendingPathComponent("sdk")
            if complete(sdk) { return sdk.standardizedFileURL }
            folder = folder.deletingLastPathComponent()
        }
        throw SDKNotFound(message: "cannot find the station SDK above \(start.path); set STATION_SDK to the sdk folder of a station checkout (it holds rust/station and c/station.h)")
    }

    /// The commands that build and run the module, from the folder where `station new` ran.
    static func commands(name: String, language: NewCommand.Language) -> [String] {
        let run = "station run --allow-net \(origin) --kv \(name)/kv.sqlite"
        switch language {
        case .rust, .c:
            return ["bash \(name)/build.sh", "\(run) \(name)/\(name).wasm \(origin)/"]
        case .js:
            return ["\(run) \(name)/main.js \(origin)/"]
        }
    }

    /// The files of the new folder, by path inside it.
    static func files(name: String, language: NewCommand.Language, sdk: URL?) -> [(String, String)] {
        let fill: (String) -> String = { template in
            template
                .replacingOccurrences(of: "{{NAME}}", with: name)
                .replacingOccurrences(of: "{{ORIGIN}}", with: origin)
                .replacingOccurrences(of: "{{SDK}}", with: sdk?.path ?? "")
                .replacingOccurrences(of: "{{BUILD}}", with: commands(name: name, language: language).first ?? "")
                .replacingOccurrences(of: "{{RUN}}", with: commands(name: name, language: language).last ?? "")
        }
        var files: [(String, String)] = [("README.md", fill(NewTemplates.readme(language)))]
        switch language {
        case .rust:
            files += [
                ("module.toml", fill(NewTemplates.manifest(entry: "wasm = \"{{NAME}}.wasm\"      # built by build.sh"))),
                ("Cargo.toml", fill(NewTemplates.cargoManifest)),
                (".cargo/config.toml", fill(NewTemplates.cargoConfig)),
                ("src/main.rs", fill(NewTemplates.rustMain)),
                ("build.sh", fill(NewTemplates.rustBuild)),
                (".gitignore", "/target\n/*.wasm\n/kv.sqlite*\n"),
            ]
        case .c:
            files += [
                ("module.toml", fill(NewTemplates.manifest(entry: "wasm = \"{{NAME}}.wasm\"      # built by build.sh"))),
                ("main.c", fill(NewTemplates.cMain)),
                ("build.sh", fill(NewTemplates.cBuild)),
                (".gitignore", "/*.wasm\n/kv.sqlite*\n"),
            ]
        case .js:
            files += [
                ("module.toml", fill(NewTemplates.manifest(entry: "js = \"main.js\""))),
                ("main.js", fill(NewTemplates.jsMain)),
                (".gitignore", "/kv.sqlite*\n"),
            ]
        }
        return files
    }
}
