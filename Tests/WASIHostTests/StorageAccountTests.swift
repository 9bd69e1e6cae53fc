import Foundation
import StationTestSupport
import Testing
@testable import WASIHost

@Suite struct StorageAccountTests {
    @Test func refusesGrowthBeyondTheQuota() {
        var account = StorageAccount(quota: 10_000, used: 9_000)
        #expect(throws: WASIErrno.dquot) { try account.check(adding: 1_001) }
        #expect(throws: Never.self) { try account.check(adding: 1_000) }
        account.add(1_000)
        #expect(account.available == 0)
        account.remove(100_000)
        #expect(account.used == 0)
    }

    @Test func sizesAreChargedInWholeBlocks() {
        let cost = StorageCost(blockSize: 4096)
        #expect(cost.fileContent(0) == 0)
        #expect(cost.fileContent(1) == 4096)
        #expect(cost.fileContent(4096) == 4096)
        #expect(cost.fileContent(4097) == 8192)
        #expect(cost.fileContent(.max) == UInt64.max & ~4095)
        #expect(cost.symlinkContent(1) == 4096)
        #expect(cost.newDirectory == StorageCost.entryCost + StorageCost.inodeCost + 4096)
        #expect(cost.newFile == StorageCost.entryCost + StorageCost.inodeCost)
        // Never below 4 KiB, and always a power of two.
        #expect(StorageCost(blockSize: 512).blockSize == 4096)
        #expect(StorageCost(blockSize: 5000).blockSize == 8192)

        var account = StorageAccount(quota: 1 << 20, used: 0, cost: cost)
        account.resizeFile(from: 0, to: 1)
        #expect(account.used == 4096)
        account.resizeFile(from: 1, to: 4000)
        #expect(account.used == 4096)
        #expect(throws: Never.self) { try account.checkFileGrowth(from: 4000, to: 4096) }
        account.resizeFile(from: 4000, to: 0)
        #expect(account.used == 0)
    }

    @Test func theEntryCapRefusesOneMore() {
        var account = StorageAccount(quota: 1 << 30, used: 0, entryLimit: 2)
        account.addEntry(costing: 10)
        account.addEntry(costing: 10)
        #expect(throws: WASIErrno.dquot) { try account.checkNewEntry(costing: 0) }
        account.removeEntry(freeing: 10)
        #expect(throws: Never.self) { try account.checkNewEntry(costing: 10) }
        #expect(account.entries == 1 && account.used == 10)
    }

    @Test func writePastTheQuotaFailsAndWritesNothing() throws {
        let tree = try TemporaryDirectory()
        let cost = tree.storageCost
        let block = cost.blockSize
        let quota = cost.newFile + 2 * block
        let harness = try WASIHarness(WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".")], storageQuota: quota))
        let (errno, fd) = try harness.create("big.bin")
        #expect(errno == .success)
        #expect(harness.context.storageUsed == cost.newFile)
        #expect(try harness.write(fd, [UInt8](repeating: 1, count: 3000)) == (.success, 3000))
        #expect(harness.context.storageUsed == cost.newFile + block)
        // Up to the end of the second block fits exactly.
        let rest = Int(2 * block) - 3000
        #expect(try harness.write(fd, [UInt8](repeating: 2, count: rest)) == (.success, UInt32(rest)))
        #expect(harness.context.storageUsed == quota)
        // One more byte needs a third block: refused as a whole.
        #expect(try harness.write(fd, [3]).0 == .dquot)
        #expect(try tree.fileSize("big.bin") == 2 * block)
        #expect(harness.context.storageUsed == quota)
        // Overwriting in place does not grow the file, so it is allowed.
        #expect(try harness.call("fd_seek", [.i32(fd), .i64(0), .i32(0), .i32(WASIHarness.resultAddress)]) == .success)
        #expect(try harness.write(fd, [UInt8](repeating: 3, count: 2000)).0 == .success)
        #expect(try tree.fileSize("big.bin") == 2 * block)
        // Truncation and fd_allocate are checked the same way.
        #expect(try harness.call("fd_filestat_set_size", [.i32(fd), .i64(3 * block)]) == .dquot)
        #expect(try harness.call("fd_allocate", [.i32(fd), .i64(0), .i64(2 * block + 1)]) == .dquot)
        #expect(try harness.call("fd_filestat_set_size", [.i32(fd), .i64(100)]) == .success)
        #expect(harness.context.storageUsed == cost.newFile + block)
        #expect(try harness.call("fd_allocate", [.i32(fd), .i64(0), .i64(500)]) == .success)
        #expect(try tree.fileSize("big.bin") == 500)
    }

    @Test func pwriteFarBeyondTheEndIsChargedForTheHole() throws {
        let tree = try TemporaryDirectory()
        let harness = try WASIHarness(WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".")], storageQuota: 1 << 20))
        let (_, fd) = try harness.create("sparse.bin")
        try harness.store([1, 2, 3], at: WASIHarness.dataAddress)
        try harness.memory.view.store(WASIHarness.dataAddress, at: WASIHarness.iovecAddress)
        try harness.memory.view.store(UInt32(3), at: WASIHarness.iovecAddress + 4)
        let errno = try harness.call("fd_pwrite", [.i32(fd), .i32(WASIHarness.iovecAddress), .i32(1), .i64(1 << 30), .i32(WASIHarness.resultAddress)])
        #expect(errno == .dquot)
        #expect(try tree.fileSize("sparse.bin") == 0)
    }

    @Test func startupScanCountsExistingFilesAndUnlinkRefunds() throws {
        let tree = try TemporaryDirectory()
        try tree.makeDirectory("d")
        try tree.writeFile("d/a.txt", String(repeating: "x", count: 1000))
        try tree.symlink("d/link", to: "a.txt")
        let cost = tree.storageCost
        let harness = try WASIHarness(WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".")], storageQuota: 1 << 20))
        let file = cost.newFile + cost.fileContent(1000)
        let expected = cost.newDirectory + file + cost.newSymlink(targetLength: 5)
        #expect(harness.context.storageUsed == expected)
        #expect(harness.context.storageEntryCount == 3)
        #expect(try harness.pathCall("path_unlink_file", "d/a.txt") == .success)
        #expect(harness.context.storageUsed == expected - file)
        #expect(try harness.pathCall("path_unlink_file", "d/link") == .success)
        #expect(try harness.pathCall("path_remove_directory", "d") == .success)
        #expect(harness.context.storageUsed == 0)
        #expect(harness.context.storageEntryCount == 0)
    }

    @Test func aTreeBiggerThanTheScanLimitCountsAsFull() throws {
        let tree = try TemporaryDirectory()
        for index in 0..<5 { try tree.writeFile("f\(index)", "x") }
        let harness = try WASIHarness(WASIConfiguration(
            preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".")], storageQuota: 1 << 20, storageScanLimit: 3))
        #expect(harness.context.storageUsed == 1 << 20)
        #expect(try harness.create("new").0 == .dquot)
    }

    @Test func hardLinksDoNotLetContentEscapeTheAccount() throws {
        let tree = try TemporaryDirectory()
        let cost = tree.storageCost
        let harness = try WASIHarness(WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".")], storageQuota: 1 << 20))
        let (_, fd) = try harness.create("a")
        _ = try harness.write(fd, [UInt8](repeating: 7, count: 4000))
        #expect(try harness.call("fd_close", [.i32(fd)]) == .success)
        let file = cost.newFile + cost.fileContent(4000)
        #expect(try link(harness, "a", "b") == .success)
        #expect(harness.context.storageUsed == file + StorageCost.entryCost)
        #expect(try harness.pathCall("path_unlink_file", "a") == .success)
        // The content is still there under "b", so it stays counted.
        #expect(harness.context.storageUsed == file)
        #expect(try harness.pathCall("path_unlink_file", "b") == .success)
        #expect(harness.context.storageUsed == 0)
    }

    /// A second name for a symlink costs only the name, and removing it must refund only that
    /// (it used to refund the link's target too, so each round freed quota that was never used).
    @Test func hardLinkingASymlinkAndUnlinkingRefundsOnlyTheName() throws {
        let tree = try TemporaryDirectory()
        let harness = try WASIHarness(WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".")], storageQuota: 1 << 20))
        let target = String(repeating: "x/", count: 1500)
        try harness.store(Array(target.utf8), at: 4096)
        let name = Array("s".utf8)
        try harness.store(name, at: 8000)
        #expect(try harness.call("path_symlink", [.i32(4096), .i32(UInt32(target.utf8.count)), .i32(3), .i32(8000), .i32(1)]) == .success)
        let charged = harness.context.storageUsed
        #expect(charged == tree.storageCost.newSymlink(targetLength: 3000))
        for _ in 0..<10 {
            #expect(try link(harness, "s", "h") == .success)
            #expect(harness.context.storageUsed == charged + StorageCost.entryCost)
            #expect(try harness.pathCall("path_unlink_file", "h") == .success)
            #expect(harness.context.storageUsed == charged)
        }
        #expect(try harness.pathCall("path_unlink_file", "s") == .success)
        #expect(harness.context.storageUsed == 0)
    }

    /// Unlinking an open file frees nothing on disk until its last descriptor closes, so the
    /// refund waits for that close (fd_close or fd_renumber over it).
    @Test func unlinkingAnOpenFileIsRefundedAtTheLastClose() throws {
        let tree = try TemporaryDirectory()
        let cost = tree.storageCost
        let harness = try WASIHarness(WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".")], storageQuota: 1 << 20))
        let (_, first) = try harness.create("held")
        #expect(try harness.write(first, [UInt8](repeating: 1, count: 10_000)).0 == .success)
        let (_, second) = try harness.open("held")
        let file = cost.newFile + cost.fileContent(10_000)
        #expect(harness.context.storageUsed == file)
        #expect(try harness.pathCall("path_unlink_file", "held") == .success)
        #expect(!tree.exists("held"))
        #expect(harness.context.storageUsed == file - StorageCost.entryCost)
        #expect(harness.context.storageEntryCount == 0)
        // Writes through a descriptor of the unlinked file still count.
        #expect(try harness.write(first, [UInt8](repeating: 2, count: 10_000)).0 == .success)
        let grown = cost.newFile + cost.fileContent(20_000) - StorageCost.entryCost
        #expect(harness.context.storageUsed == grown)
        #expect(try harness.call("fd_close", [.i32(first)]) == .success)
        #expect(harness.context.storageUsed == grown)
        // Renumbering the standard error over the last descriptor closes it.
        #expect(try harness.call("fd_renumber", [.i32(2), .i32(second)]) == .success)
        #expect(harness.context.storageUsed == 0)
    }

    @Test func renamingOverAnOpenFileKeepsItChargedUntilClosed() throws {
        let tree = try TemporaryDirectory()
        let cost = tree.storageCost
        try tree.writeFile("old", String(repeating: "o", count: 5000))
        try tree.writeFile("new", "n")
        let harness = try WASIHarness(WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".")], storageQuota: 1 << 20))
        let (_, fd) = try harness.open("old", rights: WASIABI.Rights.fdRead)
        let old = cost.newFile + cost.fileContent(5000), new = cost.newFile + cost.fileContent(1)
        #expect(try rename(harness, "new", "old") == .success)
        #expect(harness.context.storageUsed == old - StorageCost.entryCost + new)
        #expect(try harness.call("fd_close", [.i32(fd)]) == .success)
        #expect(harness.context.storageUsed == new)
    }

    @Test func renameOverAFileRefundsTheReplacedOne() throws {
        let tree = try TemporaryDirectory()
        let cost = tree.storageCost
        try tree.writeFile("old", String(repeating: "o", count: 300))
        try tree.writeFile("new", "n")
        let harness = try WASIHarness(WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".")], storageQuota: 1 << 20))
        #expect(harness.context.storageUsed == 2 * (cost.newFile + cost.blockSize))
        #expect(try rename(harness, "new", "old") == .success)
        #expect(try tree.readFile("old") == "n")
        #expect(harness.context.storageUsed == cost.newFile + cost.blockSize)
    }

    @Test func theEntryCapBoundsFilesDirectoriesAndLinks() throws {
        let tree = try TemporaryDirectory()
        let harness = try WASIHarness(WASIConfiguration(
            preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".")], storageQuota: 1 << 30, maxStorageEntries: 3))
        #expect(try harness.pathCall("path_create_directory", "d") == .success)
        #expect(try harness.create("f").0 == .success)
        #expect(try link(harness, "f", "g") == .success)
        #expect(try harness.pathCall("path_create_directory", "e") == .dquot)
        #expect(try harness.create("h").0 == .dquot)
        #expect(try link(harness, "f", "i") == .dquot)
        #expect(!tree.exists("e") && !tree.exists("h") && !tree.exists("i"))
        #expect(try harness.pathCall("path_unlink_file", "g") == .success)
        #expect(try harness.pathCall("path_create_directory", "e") == .success)
    }

    /// The start-up scan and the running account follow one rule: a fresh context on the tree a
    /// module left measures exactly what the module's context had counted.
    @Test func theScanAgreesWithTheRunningAccount() throws {
        let tree = try TemporaryDirectory()
        let configuration = WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".")], storageQuota: 1 << 24)
        let harness = try WASIHarness(configuration)
        #expect(try harness.pathCall("path_create_directory", "d") == .success)
        #expect(try harness.pathCall("path_create_directory", "d/e") == .success)
        let (_, fd) = try harness.create("d/file")
        _ = try harness.write(fd, [UInt8](repeating: 1, count: 12_345))
        let (_, empty) = try harness.create("empty")
        #expect(try link(harness, "d/file", "d/e/again") == .success)
        let target = Array("../file".utf8)
        try harness.store(target, at: 4096)
        let name = Array("d/e/up".utf8)
        try harness.store(name, at: 8000)
        #expect(try harness.call("path_symlink", [.i32(4096), .i32(UInt32(target.count)), .i32(3), .i32(8000), .i32(UInt32(name.count))]) == .success)
        #expect(try link(harness, "d/e/up", "d/up-again") == .success)
        for descriptor in [fd, empty] { #expect(try harness.call("fd_close", [.i32(descriptor)]) == .success) }
        let rescanned = try WASIContext(configuration: configuration)
        #expect(rescanned.storageUsed == harness.context.storageUsed)
        #expect(rescanned.storageEntryCount == harness.context.storageEntryCount)
        #expect(rescanned.storageEntryCount == 7)
    }

    private func link(_ harness: WASIHarness, _ from: String, _ to: String) throws -> WASIErrno {
        let target = Array(to.utf8)
        try harness.store(target, at: 6000)
        return try harness.call("path_link", [.i32(3), .i32(0)] + (try harness.pathArguments(from)) + [.i32(3), .i32(6000), .i32(UInt32(target.count))])
    }

    private func rename(_ harness: WASIHarness, _ from: String, _ to: String) throws -> WASIErrno {
        let target = Array(to.utf8)
        try harness.store(target, at: 6000)
        return try harness.call("path_rename", [.i32(3)] + (try harness.pathArguments(from)) + [.i32(3), .i32(6000), .i32(UInt32(target.count))])
    }
}
