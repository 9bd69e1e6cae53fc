import Foundation
import Testing

extension CLI {
@Suite("exit statuses")
struct ExitStatusTests {
    /// Every status constant in the sources (the CLI's `CommandExit` and the engine port's
    /// `ExitStatus`), by value.
    static func declaredStatuses() throws -> Set<Int> {
        let root = StationBinary.packageRoot
        var values = Set<Int>()
        for file in ["Sources/station/CommandExit.swift", "Sources/SandboxEngine/SandboxError.swift"] {
            let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.contains("static let") && line.contains(": Int32 = ") {
                if let value = line.split(separator: "=").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
                    values.insert(value)
                }
            }
        }
        return values
    }

    @Test("docs/exit-codes.md lists every status the commands can exit with")
    func docsListEveryStatus() throws {
        let declared = try Self.declaredStatuses()
        #expect(declared.isSuperset(of: [1, 64, 65, 66, 69, 70, 78, 124, 130, 134]), "\(declared.sorted())")
        let docs = try String(contentsOf: StationBinary.packageRoot.appendingPathComponent("docs/exit-codes.md"), encoding: .utf8)
        let documented = Set(docs.split(separator: "\n").compactMap { line -> Int? in
            guard line.hasPrefix("| ") else { return nil }
            return Int(line.dropFirst(2).prefix { $0.isNumber })
        })
        #expect(declared.subtracting(documented).isEmpty, "not in docs/exit-codes.md: \(declared.subtracting(documented).sorted())")
    }

    @Test("each command exits with the documented status", arguments: [
        (["ipfs", "add", "/nonexistent/file"], 66),
        (["p2p", "ping", "not-a-multiaddr"], 64),
        (["daemon", "--config", "/nonexistent/station.toml"], 78),
        (["module", "status", "--state", "/nonexistent/state"], 1),
        (["inspect", "/nonexistent/module.wasm"], 66),
        (["run", "--engine", "wasmkit", "--timeout", "nonsense", "examples/wat/hello.wat"], 64),
    ])
    func documentedStatuses(arguments: [String], status: Int) throws {
        let result = try StationBinary.run(arguments)
        #expect(Int(result.status) == status, "stderr: \(result.stderr)")
        #expect(result.stderr.hasPrefix("station") || result.stderr.contains("Error:"), "stderr: \(result.stderr)")
    }
}
}
