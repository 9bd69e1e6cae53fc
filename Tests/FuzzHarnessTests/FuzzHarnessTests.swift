import Foundation
import FuzzHarnesses
import Testing

/// Runs every fuzz harness body over its committed seed corpus: the libFuzzer targets need a
/// 30-minute sanitizer build, but their invariants cost seconds on the seeds, so CI checks them
/// on every change (docs/fuzzing.md).
@Suite struct FuzzHarnessTests {
    /// `Fuzz/` in the source tree, found from this file's path.
    static let fuzzFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    /// Folders in `Fuzz/` that are not libFuzzer targets.
    static let supportFolders: Set<String> = ["Support", "CFuzzSupport", "Harnesses", "Corpus", "Crashes"]

    static func corpusFiles(_ name: String) throws -> [URL] {
        let folder = fuzzFolder.appendingPathComponent("Corpus").appendingPathComponent(name)
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static func folders(in folder: URL) throws -> Set<String> {
        var isDirectory: ObjCBool = false
        return Set(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path, isDirectory: &isDirectory)
                && isDirectory.boolValue
        })
    }

    /// Each harness holds on every seed of `Fuzz/Corpus/<Name>`, which must not be empty.
    @Test(arguments: Harness.all.map(\.name))
    func harnessHoldsOnItsCorpus(name: String) async throws {
        let harness = try #require(Harness.all.first { $0.name == name })
        let files = try Self.corpusFiles(name)
        #expect(!files.isEmpty, "Fuzz/Corpus/\(name) has no seeds")
        // One file at a time: some harnesses (ConfigLoader) reuse fixed file names.
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: file))
            do {
                try await harness.run(bytes)
            } catch {
                Issue.record("\(name) on Fuzz/Corpus/\(name)/\(file.lastPathComponent): \(error)")
            }
        }
    }

    /// The harness list, the libFuzzer wrappers in `Fuzz/<Name>/` and the corpus folders agree,
    /// so a new harness without seeds (or without a wrapper) fails here.
    @Test func everyHarnessHasAWrapperAndACorpus() throws {
        let names = Set(Harness.all.map(\.name))
        #expect(names.count == Harness.all.count, "a harness name is listed twice")
        let wrappers = try Self.folders(in: Self.fuzzFolder).subtracting(Self.supportFolders)
        #expect(wrappers == names, "Fuzz/<Name> folders \(wrappers.sorted()) differ from Harness.all \(names.sorted())")
        for name in wrappers {
            let wrapper = Self.fuzzFolder.appendingPathComponent(name).appendingPathComponent("Fuzz\(name).swift")
            #expect(FileManager.default.fileExists(atPath: wrapper.path), "missing \(wrapper.path)")
        }
        let corpora = try Self.folders(in: Self.fuzzFolder.appendingPathComponent("Corpus"))
        #expect(corpora == names, "Fuzz/Corpus folders \(corpora.sorted()) differ from Harness.all \(names.sorted())")
    }

    /// The WAT crash on record (docs/fuzzing.md, "Known findings") is in WasmKit's `wat2wasm` with
    /// default features, which station never calls; through `ModuleLoader.compileText` the same
    /// bytes must not yield an invalid binary. (It nests one level deep, so the text nesting
    /// bound does not refuse it before the parser; this test keeps station's path honest.)
    @Test func watCrashRecordHoldsThroughStationsTextPath() async throws {
        let file = Self.fuzzFolder.appendingPathComponent("Crashes/WAT/wasmkit-reftype-non-ascii")
        let bytes = try [UInt8](Data(contentsOf: file))
        #expect(bytes.count == 18)
        try Harness.wat(bytes)
    }
}

/// The StationABI harness must reach the host for real: seeds that store, pin, hold handles or
/// wait leave traces in its report (a guest whose calls all failed early would check nothing).
@Suite struct StationABIHarnessTests {
    static func seed(_ name: String) throws -> [UInt8] {
        let file = FuzzHarnessTests.fuzzFolder.appendingPathComponent("Corpus/StationABI").appendingPathComponent(name)
        return try [UInt8](Data(contentsOf: file))
    }

    @Test(arguments: ["kv", "kv-wasmtime"])
    func keyValueSeedStores(name: String) async throws {
        let report = try await Harness.stationABIRun(Self.seed(name))
        #expect(report.error == nil, "\(String(describing: report.error))")
        // "k" -> the URL stays after "key" is deleted.
        #expect(report.keyValueBytes == UInt64(1 + "http://127.0.0.1:9/x".utf8.count), "\(report)")
    }

    @Test func engineByteChoosesWasmtimeWhenInstalled() async throws {
        let kit = try await Harness.stationABIRun(Self.seed("kv"))
        #expect(kit.engine.hasPrefix("wasmkit"))
        let other = try await Harness.stationABIRun(Self.seed("kv-wasmtime"))
        #expect(other.engine.hasPrefix("wasmtime") || other.engine.hasPrefix("wasmkit"))
    }

    @Test func quotaSeedStopsAtTheKeyValueQuota() async throws {
        let report = try await Harness.stationABIRun(Self.seed("kv-quota"))
        let used = try #require(report.keyValueBytes)
        // 12 puts of 8 + 255 bytes against 2048: seven fit, the rest are refused.
        #expect(used == 7 * 263)
    }

    @Test func ipfsSeedPinsAndHolds() async throws {
        let report = try await Harness.stationABIRun(Self.seed("ipfs"))
        #expect(report.error == nil, "\(String(describing: report.error))")
        #expect(report.handlesBeforeClose > 0)
    }

    @Test func handleCapHolds() async throws {
        let report = try await Harness.stationABIRun(Self.seed("handles-exhausted"))
        #expect(report.error == nil, "\(String(describing: report.error))")
        #expect(report.handlesBeforeClose == 0)
    }

    /// `poll` on a ready handle returns at once whatever the timeout (Int64.max, Int64.min, -1).
    @Test func pollWithHugeTimeoutsReturns() async throws {
        let report = try await Harness.stationABIRun(Self.seed("poll-huge-timeouts"))
        #expect(report.error == nil, "\(String(describing: report.error))")
        #expect(report.handlesBeforeClose == 1)
    }
}

/// The Noise harness must reach the handshake: a listener given a first message answers with the
/// second (multistream lines plus 32 + 48 + payload bytes), and a third message it cannot
/// decrypt, or a first message too short, fails the upgrade.
@Suite struct NoiseHarnessTests {
    static func seed(_ name: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: FuzzHarnessTests.fuzzFolder.appendingPathComponent("Corpus/Noise").appendingPathComponent(name)))
    }

    @Test func listenerAnswersTheFirstMessage() throws {
        let result = try Harness.noiseRun(Self.seed("listener-msg1"))
        #expect(!result.failed)
        #expect(result.written > 26 + 32 + 48)
    }

    @Test(arguments: ["listener-msg1-msg3", "listener-short-msg1"])
    func badHandshakeMessagesFail(name: String) throws {
        #expect(try Harness.noiseRun(Self.seed(name)).failed)
    }
}
