import Foundation
import StationTestSupport
import Testing
@testable import WASIHost

@Suite struct StorageScannerTests {
    @Test func countsEntriesOnceAndNeverFollowsSymlinks() throws {
        let tree = try TemporaryDirectory()
        try tree.makeDirectory("data/a/b")
        try tree.makeDirectory("elsewhere")
        try tree.writeFile("elsewhere/huge", String(repeating: "h", count: 50_000))
        try tree.writeFile("data/a/b/file", String(repeating: "f", count: 100))
        try tree.symlink("data/out", to: "../elsewhere")
        let root = HostFD(Glibc.open(tree.path + "/data", O_RDONLY | O_DIRECTORY))
        var scanner = StorageScanner(entryLimit: 1000)
        scanner.scan(root: root)
        scanner.scan(root: root)  // the same directory twice counts once
        // a, a/b, a/b/file, out: two directories, a 100-byte file, a link with a 12-byte target.
        let cost = StorageCost()
        #expect(scanner.complete)
        #expect(scanner.entries == 4)
        #expect(scanner.bytes == 2 * cost.newDirectory + cost.newFile + cost.fileContent(100) + cost.newSymlink(targetLength: 12))
    }

    @Test func countsEachInodeOnceWhateverItsType() throws {
        let tree = try TemporaryDirectory()
        try tree.writeFile("file", String(repeating: "f", count: 5000))
        try tree.symlink("link", to: String(repeating: "l", count: 3000))
        #expect(Glibc.link(tree.path + "/file", tree.path + "/file2") == 0)
        #expect(Glibc.link(tree.path + "/link", tree.path + "/link2") == 0)
        var scanner = StorageScanner(entryLimit: 1000)
        scanner.scan(root: HostFD(Glibc.open(tree.path, O_RDONLY | O_DIRECTORY)))
        let cost = StorageCost()
        #expect(scanner.entries == 4)
        #expect(scanner.bytes == cost.newFile + cost.fileContent(5000) + cost.newSymlink(targetLength: 3000) + 2 * StorageCost.entryCost)
    }

    @Test func stopsAtTheEntryLimit() throws {
        let tree = try TemporaryDirectory()
        for index in 0..<10 { try tree.writeFile("f\(index)", "x") }
        var scanner = StorageScanner(entryLimit: 4)
        scanner.scan(root: HostFD(Glibc.open(tree.path, O_RDONLY | O_DIRECTORY)))
        #expect(!scanner.complete)
    }

    /// Start-up cost of the scan on a large data folder. Set STATION_WASI_BENCH=1 to run it.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["STATION_WASI_BENCH"] == "1"))
    func scanBenchmark() throws {
        let tree = try TemporaryDirectory()
        let directories = 100, filesPerDirectory = 100
        for directory in 0..<directories {
            try tree.makeDirectory("d\(directory)")
            for file in 0..<filesPerDirectory { try tree.writeFile("d\(directory)/f\(file)", "12345") }
        }
        let clock = ContinuousClock()
        var context: WASIContext?
        let elapsed = try clock.measure {
            context = try WASIContext(configuration: WASIConfiguration(
                preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".")], storageQuota: 1 << 30))
        }
        let entries = UInt64(directories * (filesPerDirectory + 1))
        let cost = tree.storageCost
        let files = UInt64(directories * filesPerDirectory)
        #expect(context?.storageUsed == UInt64(directories) * cost.newDirectory + files * (cost.newFile + cost.fileContent(5)))
        print("WASI storage scan: \(entries) entries in \(elapsed)")
    }
}
