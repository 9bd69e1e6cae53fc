import Foundation
import SandboxEngine
import StationTestSupport
import Testing
@testable import WasmtimeBackend

@Suite(.serialized) struct WasmtimeLibraryTests {
    @Test func installedLibraryIsAKnownBuild() throws {
        let library = try Support.library()
        #expect(WasmtimeLibrary.knownBuilds[library.sha256] != nil)
        #expect(WasmtimeLibrary.isInstalled())
    }

    @Test func otherLibraryIsRefusedWithItsHash() throws {
        let path = "/lib/x86_64-linux-gnu/libz.so.1"
        try #require(FileManager.default.fileExists(atPath: path))
        let cache = try temporaryFolder("station-wt")
        defer { try? FileManager.default.removeItem(at: cache) }
        let error = Support.error {
            _ = try WasmtimeLibrary.locate(environment: ["STATION_WASMTIME_LIB": path], verdictCacheDirectory: cache)
        }
        guard case .unknownBuild(let refused, let sha256)? = error as? WasmtimeLibraryError else {
            Issue.record("expected unknownBuild, got \(String(describing: error))")
            return
        }
        #expect(refused == path)
        #expect(sha256.count == 64)
        let message = String(describing: error ?? WasmtimeLibraryError.notFound(searched: []))
        #expect(message.contains(path) && message.contains(sha256) && message.contains("50.0.1"))
        #expect(!WasmtimeLibrary.isInstalled(environment: ["STATION_WASMTIME_LIB": path]))
    }

    @Test func explicitPathThatDoesNotExist() {
        let error = Support.error {
            _ = try WasmtimeLibrary.locate(environment: ["STATION_WASMTIME_LIB": "/nonexistent/libwasmtime.so"])
        }
        #expect(error as? WasmtimeLibraryError == .explicitPathMissing(path: "/nonexistent/libwasmtime.so"))
    }

    @Test func nothingInstalledSaysHowToInstall() throws {
        let home = try temporaryFolder("station-wt")
        defer { try? FileManager.default.removeItem(at: home) }
        let environment = ["HOME": home.path, "XDG_DATA_HOME": home.path + "/data"]
        let candidates = WasmtimeLibrary.candidatePaths(environment: environment)
        #expect(candidates.first == home.path + "/data/station/engines/wasmtime-50.0.1/libwasmtime.so")
        if candidates.dropFirst().contains(where: { FileManager.default.fileExists(atPath: $0) }) { return }
        let error = Support.error { _ = try WasmtimeLibrary.locate(environment: environment, verdictCacheDirectory: nil) }
        guard case .notFound? = error as? WasmtimeLibraryError else {
            Issue.record("expected notFound, got \(String(describing: error))")
            return
        }
        #expect(String(describing: error ?? WasmtimeLibraryError.notFound(searched: [])).contains("scripts/install-extras"))
    }

    /// A verified-file marker is trusted without hashing: a marker that (falsely) vouches for a copy
    /// of libz gets that copy as far as dlopen, where the missing Wasmtime symbols are reported.
    @Test func verdictCacheSkipsHashingAndMissingSymbolsAreNamed() throws {
        let directory = try temporaryFolder("station-wt")
        defer { try? FileManager.default.removeItem(at: directory) }
        let fake = directory.appendingPathComponent("libwasmtime.so")
        let libz = URL(fileURLWithPath: "/lib/x86_64-linux-gnu/libz.so.1").resolvingSymlinksInPath()
        try FileManager.default.copyItem(atPath: libz.path, toPath: fake.path)
        let verdicts = directory.appendingPathComponent("verdicts")

        // First: hashed and refused; nothing recorded.
        let first = Support.error { _ = try WasmtimeLibrary.load(path: fake.path, verdictCacheDirectory: verdicts) }
        #expect({ if case .unknownBuild? = first as? WasmtimeLibraryError { true } else { false } }())

        // Plant a marker vouching for it under its identity key, the way a real verdict is stored.
        let identity = try #require(FileIdentity(path: fake.path))
        let library = try Support.library()
        try FileManager.default.createDirectory(at: verdicts, withIntermediateDirectories: true)
        try Data((library.sha256 + "\n").utf8).write(to: verdicts.appendingPathComponent(Hashing.sha256Hex(identity.key)))
        let second = Support.error { _ = try WasmtimeLibrary.load(path: fake.path, verdictCacheDirectory: verdicts) }
        guard case .loadFailed(_, let reason)? = second as? WasmtimeLibraryError else {
            Issue.record("expected loadFailed (no hashing on a verdict-cache hit), got \(String(describing: second))")
            return
        }
        #expect(reason.contains("missing symbols") && reason.contains("wasmtime_module_new"), "\(reason)")
    }

    @Test func verifiedLibraryLeavesAMarker() throws {
        let directory = try temporaryFolder("station-wt")
        defer { try? FileManager.default.removeItem(at: directory) }
        let library = try Support.library()
        _ = try WasmtimeLibrary.load(path: library.path, verdictCacheDirectory: directory)
        let identity = try #require(FileIdentity(path: library.path))
        let marker = directory.appendingPathComponent(Hashing.sha256Hex(identity.key))
        let recorded = try String(contentsOf: marker, encoding: .utf8)
        #expect(recorded.trimmingCharacters(in: .whitespacesAndNewlines) == library.sha256)
    }
}
