import Foundation
import SandboxEngine
import Testing

@Suite struct RegularFileTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("regular-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func failure(_ path: String, maximumSize: Int64 = .max) -> RegularFile.Failure? {
        do throws(RegularFile.Failure) {
            _ = try RegularFile(path: path, maximumSize: maximumSize)
            return nil
        } catch {
            return error
        }
    }

    @Test func readsARegularFileUpToTheLimit() throws {
        let path = folder.appendingPathComponent("data").path
        try Data((0..<100).map { UInt8($0) }).write(to: URL(fileURLWithPath: path))
        let file = try RegularFile(path: path, maximumSize: 100)
        #expect(file.size == 100)
        #expect(try file.read(atMost: 10) == Array(0..<10))
        #expect(try file.read(atMost: 1000).count == 100)
        // Reads always start at the beginning (pread), whatever was read before.
        #expect(try file.read(atMost: 3) == [0, 1, 2])
    }

    @Test func refusesWhatIsNotARegularFile() throws {
        let fifo = folder.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(failure(fifo) == .notRegular("a FIFO (named pipe)"))
        #expect(failure(folder.path) == .notRegular("a directory"))
        #expect(failure("/dev/null") == .notRegular("a character device"))
        #expect(failure(folder.appendingPathComponent("missing").path)?.isMissing == true)
        #expect(failure(folder.appendingPathComponent("missing").path)?.description == "cannot be opened: no such file")
    }

    @Test func judgesASymlinkByItsTargetAndChecksTheSize() throws {
        let target = folder.appendingPathComponent("big")
        try Data(count: 4096).write(to: target)
        let link = folder.appendingPathComponent("link").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target.path)
        #expect(failure(link, maximumSize: 4096) == nil)
        #expect(failure(link, maximumSize: 4095) == .tooLarge(size: 4096, maximum: 4095))
        let fifoLink = folder.appendingPathComponent("fifo-link").path
        #expect(mkfifo(folder.appendingPathComponent("fifo2").path, 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: fifoLink, withDestinationPath: "fifo2")
        #expect(failure(fifoLink) == .notRegular("a FIFO (named pipe)"))
    }
}
