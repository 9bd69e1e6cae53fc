import Foundation
import Testing
@testable import WASIHost

@Suite struct StorageAccountTests {
    @Test func refusesGrowthBeyondTheQuota() {
        var account = StorageAccount(quota: 1000, used: 900)
        #expect(throws: WASIErrno.dquot) { try account.check(adding: 101) }
        #expect(throws: Never.self) { try account.check(adding: 100) }
        account.add(100)
        #expect(account.available == 0)
        account.resize(from: 50, to: 10)
        #expect(account.used == 960)
        account.remove(10_000)
        #expect(account.used == 0)
    }

    @Test func writePastTheQuotaFailsAndWritesNothing() throws {
        let tree = try TemporaryDirectory()
        let harness = try WASIHarness(WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".")], storageQuota: 4096))
        let (errno, fd) = try harness.create("big.bin")
        #expect(errno == .success)
        #expect(try harness.write(fd, [UInt8](repeating: 1, count: 3000)) == (.success, 3000))
        let before = harness.context.storageUsed
        #expect(before == 3000 + StorageAccount.entryCost)
        // 3000 + 256 + 1000 > 4096: refused as a whole.
        #expect(try harness.write(fd, [UInt8](repeating: 2, count: 1000)).0 == .dquot)
        #expect(try tree.fileSize("big.bin") == 3000)
        #expect(harness.context.storageUsed == before)
        // Overwriting in place does not grow the file, so it is allowed.
        #expect(try harness.call("fd_seek", [.i32(fd), .i64(0), .i32(0), .i32(WASIHarness.resultAddress)]) == .success)
        #expect(try harness.write(fd, [UInt8](repeating: 3, count: 2000)).0 == .success)
        #expect(try tree.fileSize("big.bin") == 3000)
        // Truncation and fd_allocate are checked the same way.
        #expect(try harness.call("fd_filestat_set_size", [.i32(fd), .i64(10_000)]) == .dquot)
        #expect(try harness.call("fd_allocate", [.i32(fd), .i64(0), .i64(10_000)]) == .dquot)
        #expect(try harness.call("fd_filestat_set_size", [.i32(fd), .i64(100)]) == .success)
        #expect(harness.context.storageUsed == 100 + StorageAccount.entryCost)
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
        let harness = try WASIHarness(WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".")], storageQuota: 1 << 20))
        let expected = 3 * StorageAccount.entryCost + 1000 + 5
        #expect(harness.context.storageUsed == expected)
        #expect(try harness.pathCall("path_unlink_file", "d/a.txt") == .success)
        #expect(harness.context.storageUsed == expected - StorageAccount.entryCost - 1000)
        #expect(try harness.pathCall("path_unlink_file", "d/link") == .success)
        #expect(try harness.pathCall("path_remove_directory", "d") == .success)
        #expect(harness.context.storageUsed == 0)
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
        let harness = try WASIHarness(WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".")], storageQuota: 1 << 20))
        let (_, fd) = try harness.create("a")
        _ = try harness.write(fd, [UInt8](repeating: 7, count: 4000))
        let other = Array("b".utf8)
        try harness.store(other, at: 4096)
        let link = try harness.call("path_link", [.i32(3), .i32(0)] + (try harness.pathArguments("a")) + [.i32(3), .i32(4096), .i32(1)])
        #expect(link == .success)
        #expect(harness.context.storageUsed == 2 * StorageAccount.entryCost + 4000)
        #expect(try harness.pathCall("path_unlink_file", "a") == .success)
        // The content is still there under "b", so it stays counted.
        #expect(harness.context.storageUsed == StorageAccount.entryCost + 4000)
        #expect(try harness.pathCall("path_unlink_file", "b") == .success)
        #expect(harness.context.storageUsed == 0)
    }

    @Test func renameOverAFileRefundsTheReplacedOne() throws {
        let tree = try TemporaryDirectory()
        try tree.writeFile("old", String(repeating: "o", count: 300))
        try tree.writeFile("new", "n")
        let harness = try WASIHarness(WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".")], storageQuota: 1 << 20))
        #expect(harness.context.storageUsed == 2 * StorageAccount.entryCost + 301)
        let target = Array("old".utf8)
        try harness.store(target, at: 4096)
        let errno = try harness.call("path_rename", [.i32(3)] + (try harness.pathArguments("new")) + [.i32(3), .i32(4096), .i32(3)])
        #expect(errno == .success)
        #expect(try tree.readFile("old") == "n")
        #expect(harness.context.storageUsed == StorageAccount.entryCost + 1)
    }
}
