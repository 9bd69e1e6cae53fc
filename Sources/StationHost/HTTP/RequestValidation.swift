/// Syntax checks on a module's method and headers, so nothing malformed reaches the wire.
enum RequestValidation {
    /// Headers the runtime sets itself; a module may not send its own.
    static let reservedHeaders: Set<String> = ["host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer", "keep-alive"]

    /// Whether `character` is an HTTP token character (RFC 9110 `tchar`).
    static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    static func checkMethod(_ method: String) throws(StationError) {
        guard !method.isEmpty, method.utf8.count <= 32, method.utf8.allSatisfy(isTokenCharacter) else {
            throw StationError(.invalidArgument, "invalid HTTP method \"\(method.prefix(40))\": use a token such as GET or POST")
        }
    }

    static func checkHeaders(_ headers: [(String, String)]) throws(StationError) {
        guard headers.count <= 256 else {
            throw StationError(.invalidArgument, "too many request headers (\(headers.count)); at most 256 are allowed")
        }
        var total = 0
        for (name, value) in headers {
            guard !name.isEmpty, name.utf8.count <= 256, name.utf8.allSatisfy(isTokenCharacter) else {
                throw StationError(.invalidArgument, "invalid header name \"\(name.prefix(60))\": use letters, digits and - only")
            }
            guard value.utf8.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
                throw StationError(.invalidArgument, "the value of header \(name) contains a line break or control character")
            }
            if reservedHeaders.contains(name.lowercased()) {
                throw StationError(.invalidArgument, "header \(name) is set by the runtime; leave it out")
            }
            total += name.utf8.count + value.utf8.count
        }
        guard total <= 64 << 10 else {
            throw StationError(.invalidArgument, "request headers are larger than 64 KiB")
        }
    }
}
