/// Parses the ABI's header text: one `Name: value` per line, lines separated by `\n` or `\r\n`.
enum HeaderLines {
    /// Most header lines a request may carry.
    static let maxLines = 100

    static func parse(_ text: String) throws(StationError) -> [(String, String)] {
        var headers: [(String, String)] = []
        // Split on the byte 0x0A, not on the Character "\n": Swift treats "\r\n" as one Character,
        // so splitting the String would never separate CRLF lines.
        for rawLine in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            var bytes = rawLine
            if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
            let line = Substring(bytes)
            if line.isEmpty { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw StationError(.invalidArgument, "header line '\(line.prefix(80))' has no ':'")
            }
            let name = line[..<colon]
            let value = line[line.index(after: colon)...].drop(while: { $0 == " " || $0 == "\t" })
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
                throw StationError(.invalidArgument, "'\(name.prefix(80))' is not a valid header name")
            }
            guard value.utf8.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
                throw StationError(.invalidArgument, "the value of header '\(name)' contains control characters")
            }
            headers.append((String(name), String(value.reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())))
            guard headers.count <= maxLines else {
                throw StationError(.invalidArgument, "more than \(maxLines) header lines")
            }
        }
        return headers
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
