import StationTestSupport
import Testing
@testable import WASIHost

@Suite struct FileDescriptorTableTests {
    private func entry(counts: Bool = true) -> Descriptor {
        Descriptor(kind: .directory, countsTowardLimit: counts, rightsBase: 0, rightsInheriting: 0)
    }

    @Test func handsOutTheLowestFreeNumber() throws {
        var table = FileDescriptorTable(maxOpen: 10)
        #expect(try table.insert(entry()) == 0)
        #expect(try table.insert(entry()) == 1)
        #expect(try table.insert(entry()) == 2)
        try table.remove(1)
        #expect(try table.insert(entry()) == 1)
        #expect(throws: WASIErrno.badf) { try table.remove(7) }
    }

    @Test func capsGuestOpenedDescriptorsWithEMFILE() throws {
        var table = FileDescriptorTable(maxOpen: 2)
        _ = try table.insert(entry(counts: false))
        _ = try table.insert(entry())
        _ = try table.insert(entry())
        #expect(throws: WASIErrno.mfile) { try table.insert(entry()) }
        try table.remove(1)
        #expect(table.openCount == 1)
        #expect(try table.insert(entry()) == 1)
    }

    @Test func renumberMovesAndClosesTheTarget() throws {
        var table = FileDescriptorTable(maxOpen: 5)
        let first = entry(), second = entry()
        _ = try table.insert(first)
        _ = try table.insert(second)
        try table.renumber(0, to: 1)
        #expect(table.entries[1] === first)
        #expect(table.entries[0] == nil)
        #expect(table.openCount == 1)
        #expect(throws: WASIErrno.badf) { try table.renumber(0, to: 1) }
    }

    @Test func openingFilesUntilDescriptorsRunOut() throws {
        let tree = try TemporaryDirectory()
        try tree.writeFile("f", "x")
        let harness = try WASIHarness(WASIConfiguration(preopens: [WASIPreopen(hostPath: tree.path, guestPath: ".")], maxOpenFiles: 16))
        var opened: [UInt32] = []
        var last = WASIErrno.success
        for _ in 0..<100 {
            let (errno, fd) = try harness.open("f")
            last = errno
            guard errno == .success else { break }
            opened.append(fd)
        }
        #expect(opened.count == 16)
        #expect(last == .mfile)
        #expect(harness.context.openFileCount == 16)
        #expect(try harness.call("fd_close", [.i32(opened[0])]) == .success)
        #expect(try harness.open("f").0 == .success)
    }
}
