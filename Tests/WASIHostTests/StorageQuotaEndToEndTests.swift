import Foundation
import StationTestSupport
import SandboxEngine
import Testing
@testable import WASIHost

/// Guests from `Guests/quota_tricks.c` that try to store more than their quota, on every engine.
/// Each checks what the file system really holds afterwards (`st_blocks` of the folder), not only
/// the account.
@Suite struct StorageQuotaEndToEndTests {
    static let quota: UInt64 = 1 << 20
    /// Room for what the account cannot see exactly (block-allocation details of the host file
    /// system); every bypass fixed here overshot by megabytes.
    static let slack: UInt64 = 64 << 10

    private func run(_ mode: String, on engine: EngineFactory, tree: TemporaryDirectory, quota: UInt64 = quota,
                     maxEntries: Int = WASIConfiguration.defaultMaxStorageEntries) throws -> [String: Int64] {
        let wasm = try GuestRunner.cGuest("quota_tricks")
        let stdout = CapturingSink(limit: 1 << 16)
        let configuration = WASIConfiguration(
            arguments: ["quota_tricks", mode], preopens: [WASIPreopen(hostPath: tree.path, guestPath: "/data")],
            stdout: stdout, storageQuota: quota, maxStorageEntries: maxEntries)
        #expect(try GuestRunner.run(wasm, on: engine, configuration: configuration) == 0, "\(stdout.text)")
        var values: [String: Int64] = [:]
        for line in stdout.text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Int64(parts[1]) { values[String(parts[0])] = value }
        }
        return values
    }

    /// Hard-linking a symlink with a long target and unlinking the new name used to refund the
    /// target each time, so every round freed quota for another full file.
    @Test(arguments: EngineFactory.all)
    func relinkingASymlinkFreesNoQuota(engine: EngineFactory) throws {
        let tree = try TemporaryDirectory()
        let values = try run("relink", on: engine, tree: tree)
        let written = try #require(values["written"])
        #expect(written > 0)
        #expect(UInt64(written) <= Self.quota)
        #expect(try tree.diskUsage() <= Self.quota + Self.slack)
    }

    /// Files unlinked while open keep their data on disk until closed; their quota comes back
    /// only then.
    @Test(arguments: EngineFactory.all)
    func unlinkedOpenFilesStayChargedUntilClosed(engine: EngineFactory) throws {
        let tree = try TemporaryDirectory()
        let values = try run("unlink-open", on: engine, tree: tree)
        let held = try #require(values["held"])
        #expect(UInt64(held) <= Self.quota)
        #expect(values["held_errno"] == Int64(WASIErrno.dquot.rawValue))
        // Closing them gave the quota back.
        let after = try #require(values["after"])
        #expect(UInt64(after) > Self.quota / 2)
        #expect(UInt64(after) <= Self.quota)
        #expect(try tree.diskUsage() <= Self.quota + Self.slack)
    }

    /// An empty directory takes a block and an inode; 1 MiB of quota must not become megabytes of
    /// directories.
    @Test(arguments: EngineFactory.all)
    func emptyDirectoriesAreChargedWhatTheyTake(engine: EngineFactory) throws {
        let tree = try TemporaryDirectory()
        let values = try run("dirs", on: engine, tree: tree)
        #expect(values["errno"] == Int64(WASIErrno.dquot.rawValue))
        let made = try #require(values["made"])
        #expect(made > 0)
        #expect(try tree.diskUsage() <= Self.quota + Self.slack)
        #expect(UInt64(made) * tree.storageCost.newDirectory <= Self.quota)
    }

    @Test(arguments: EngineFactory.all)
    func theEntryCapStopsCreationWhateverTheBytes(engine: EngineFactory) throws {
        let tree = try TemporaryDirectory()
        let values = try run("dirs", on: engine, tree: tree, quota: 1 << 30, maxEntries: 50)
        #expect(values["made"] == 50)
        #expect(values["errno"] == Int64(WASIErrno.dquot.rawValue))
    }
}
