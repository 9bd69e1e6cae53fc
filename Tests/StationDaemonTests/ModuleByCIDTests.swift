import Foundation
import IPFS
import Multiformats
import StationConfig
import StationHost
import StationStatus
import Testing
@testable import StationDaemon

@Suite("Modules by CID", .serialized)
struct ModuleByCIDTests {
    /// Stores `text` as a UnixFS file in the daemon's block store (before the daemon opens it) and
    /// returns its CID.
    static func store(_ text: String, in harness: TestDaemon) async throws -> String {
        let layout = DaemonLayout(stateDirectory: harness.configuration.stateDirectory, cacheDirectory: harness.configuration.cacheDirectory)
        try layout.prepare()
        let store = try BlockStore(BlockStore.Configuration(directory: layout.blockStore))
        let importer = try UnixFSImporter(options: .cidV1RawLeaves)
        let result = try await importer.importStream(ArrayByteSource(Array(text.utf8)), into: store, module: "test-setup")
        return result.root.description
    }

    @Test("a module given by CID is taken from the block store, checked, cached and run")
    func runsByCID() async throws {
        let harness = try TestDaemon()
        let cid = try await Self.store(TestModules.worker(intervalMs: 100, message: "from ipfs"), in: harness)
        try harness.addModule("remote", wat: TestModules.trap) { $0.source = .cid(cid) }
        let daemon = try await harness.start()
        try await eventually("running from its CID") { harness.messages(of: "remote").contains("from ipfs") }
        let module = try #require(await daemon.module("remote"))
        #expect(module.source == "ipfs://\(cid)")
        let layout = DaemonLayout(stateDirectory: harness.configuration.stateDirectory, cacheDirectory: harness.configuration.cacheDirectory)
        let cached = try #require(FileManager.default.contents(atPath: layout.cachedModule(cid: cid).path))
        #expect(cached.starts(with: [0x00, 0x61, 0x73, 0x6D]))
        // A daemon with a block store reports its content routing figures (found locally: no lookup).
        let routing = try #require(await daemon.snapshot().routing)
        #expect(routing.lookups == 0)
        await harness.stop()
    }

    @Test("update swaps in new code only after it is fetched and checked, and the choice survives a restart")
    func updateSwapsCleanly() async throws {
        let harness = try TestDaemon()
        let next = try await Self.store(TestModules.worker(intervalMs: 100, message: "version two"), in: harness)
        let broken = try await Self.store("this is not WebAssembly", in: harness)
        try harness.addModule("swap", wat: TestModules.worker(intervalMs: 100, message: "version one")) { $0.grants.ipfs = true }
        let daemon = try await harness.start()
        try await eventually("version one runs") { harness.messages(of: "swap").contains("version one") }

        // Code that is not a module is refused; the running version carries on untouched.
        await #expect(throws: StatusActionError.self) { try await daemon.update(module: "swap", cid: broken) }
        await #expect(throws: StatusActionError.self) { try await daemon.update(module: "swap", cid: "not-a-cid") }
        await #expect(throws: StatusActionError.self) { try await daemon.update(module: "nobody", cid: next) }
        #expect(await daemon.module("swap")?.restarts == 0)
        #expect(await daemon.module("swap")?.state == .running)

        let message = try await daemon.update(module: "swap", cid: next)
        #expect(message.contains(next))
        try await eventually("version two runs") { harness.messages(of: "swap").contains("version two") }
        let swapped = try #require(await daemon.module("swap"))
        #expect(swapped.source == "ipfs://\(next)")
        #expect(swapped.consecutiveFailures == 0)
        await harness.stop()

        // A new daemon on the same state runs the updated code from the start.
        let countBefore = harness.messages(of: "swap").count
        let again = try await harness.start()
        try await eventually("version two after restart") { harness.messages(of: "swap").dropFirst(countBefore).contains("version two") }
        #expect(!harness.messages(of: "swap").dropFirst(countBefore).contains("version one"))
        #expect(await again.module("swap")?.version == "1.0.0+update")
        await harness.stop()
    }

    @Test("a CID that nobody has fails the run (not the daemon) with a clear reason")
    func missingCID() async throws {
        let harness = try TestDaemon()
        try harness.addModule("ghost", wat: TestModules.trap) { $0.source = .cid("bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy") }
        let daemon = try await harness.start()
        try await eventually("parked after failing to fetch") { await daemon.module("ghost")?.state == .parked }
        let reason = try #require(await daemon.module("ghost")?.reason)
        #expect(reason.contains("could not be found"), "\(reason)")
        await harness.stop()
    }
}
