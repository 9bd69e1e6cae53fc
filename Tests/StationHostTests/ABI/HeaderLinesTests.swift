import Testing
@testable import StationHost

@Suite struct HeaderLinesTests {
    /// `docs/abi.md` allows `\n` and `\r\n` line ends; Swift treats `"\r\n"` as one Character, so a
    /// parser that splits the String on `"\n"` never sees the CRLF line breaks.
    @Test(arguments: ["\n", "\r\n"])
    func splitsOnEitherLineEnd(separator: String) throws {
        let text = ["Accept: text/plain", "X-Trace:  abc def  ", "Empty:"].joined(separator: separator) + separator
        let headers = try HeaderLines.parse(text)
        #expect(headers.map(\.0) == ["Accept", "X-Trace", "Empty"])
        #expect(headers.map(\.1) == ["text/plain", "abc def", ""])
    }

    @Test func mixedLineEndsAndBlankLines() throws {
        let headers = try HeaderLines.parse("A: 1\r\n\r\nB: 2\n\nC: 3")
        #expect(headers.map(\.0) == ["A", "B", "C"])
        #expect(headers.map(\.1) == ["1", "2", "3"])
    }

    @Test(arguments: ["A: 1\rB: 2", "A: x\u{0}y", "A: \u{7F}", "A: 1\r\r\nB: 2"])
    func controlCharactersInsideValuesAreRefused(text: String) {
        #expect(throws: StationError.self) { try HeaderLines.parse(text) }
    }

    @Test(arguments: ["no colon", ": empty name", "Bad Name: x", "Ünïcode: x"])
    func malformedLinesAreRefused(text: String) {
        #expect(throws: StationError.self) { try HeaderLines.parse(text) }
    }

    @Test func lineCountIsCapped() throws {
        let ok = (0..<HeaderLines.maxLines).map { "H\($0): v" }.joined(separator: "\r\n")
        #expect(try HeaderLines.parse(ok).count == HeaderLines.maxLines)
        #expect(throws: StationError.self) { try HeaderLines.parse(ok + "\r\nOne: more") }
    }
}
