import Foundation
import Testing
@testable import StationHost

@Suite struct KeyValueFileHeaderTests {
    @Test func classifiesFilesByTheirFirstBytes() throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        #expect(try KeyValueFileHeader.inspect(path: folder.path("missing")) == .missing)

        _ = FileManager.default.createFile(atPath: folder.path("empty"), contents: Data())
        #expect(try KeyValueFileHeader.inspect(path: folder.path("empty")) == .empty)

        _ = FileManager.default.createFile(atPath: folder.path("sqlite"), contents: Data("SQLite format 3\0rest".utf8))
        #expect(try KeyValueFileHeader.inspect(path: folder.path("sqlite")) == .sqlite)

        _ = FileManager.default.createFile(atPath: folder.path("short"), contents: Data("SQLite".utf8))
        #expect(try KeyValueFileHeader.inspect(path: folder.path("short")) == .foreign)

        _ = FileManager.default.createFile(atPath: folder.path("text"), contents: Data("hello, not a database".utf8))
        #expect(try KeyValueFileHeader.inspect(path: folder.path("text")) == .foreign)
    }

    @Test func aDirectoryIsRefused() throws {
        let folder = try KeyValueTestFolder()
        defer { folder.remove() }
        let error = keyValueError { () throws(StationError) in _ = try KeyValueFileHeader.inspect(path: folder.url.path) }
        #expect(error?.code == .io)
        #expect(error?.message.contains("directory") == true)
    }
}
