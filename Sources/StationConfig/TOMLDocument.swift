/// A parsed TOML document (the TOML 1.0 subset configuration files need).
///
/// Supported: comments; bare, quoted and dotted keys; `[table]` and `[[array.of.tables]]`
/// headers; basic strings with escapes (`\b \t \n \f \r \" \\ \uXXXX \UXXXXXXXX`), literal
/// strings, multi-line basic and literal strings (with line-ending backslashes); integers
/// (decimal with `_` separators, `0x`, `0o`, `0b`); floats (including `inf` and `nan`); booleans;
/// arrays (multi-line, trailing comma, comments inside); inline tables.
///
/// Not supported: offset/local dates and times; they are rejected with an error saying so (write
/// them as strings instead).
///
/// Every key and value records its 1-based line and column. Errors are ``TOMLError`` values,
/// printed as `file:line:column: message`. Duplicate keys and tables defined twice are errors.
/// Hostile input cannot crash the parser: files over ``maximumBytes``, nesting deeper than
/// ``maximumDepth``, invalid UTF-8, NUL bytes and stray control characters are all errors.
public struct TOMLDocument: Sendable {
    /// The largest document accepted: 1 MiB.
    public static let maximumBytes = 1 << 20
    /// The deepest nesting accepted (arrays and inline tables inside each other, or segments of
    /// one dotted key or header): 64.
    public static let maximumDepth = 64

    /// The top-level table.
    public var root: TOMLTable
    /// The file name used in errors.
    public var file: String

    /// Parses TOML text. `file` is only used in error messages.
    public init(parsing text: String, file: String = "<string>") throws(TOMLError) {
        try self.init(bytes: Array(text.utf8), file: file)
    }

    /// Parses raw bytes, which must be UTF-8 (an initial byte-order mark is allowed).
    public init(bytes: [UInt8], file: String) throws(TOMLError) {
        var parser = TOMLParser(bytes: bytes, file: file)
        self.root = try parser.parseDocument()
        self.file = file
    }

    /// The value under `key` at the top level.
    public subscript(key: String) -> TOMLValue? { root[key] }
}

// MARK: - Building tables

/// A table while it is being parsed: mutable, with the rules about how it was created.
private final class TableNode {
    enum Origin {
        /// Created as a parent by a header such as `[a.b]` (for `a`); may still get its own header.
        case implicit
        /// Defined by its own `[header]`.
        case header
        /// Created by a dotted key (`a.b = 1` creates `a`); may be extended by more dotted keys.
        case dotted
        /// The body of an inline table or one element of an array of tables.
        case closed
    }

    var origin: Origin
    var line: Int
    var column: Int
    var order: [String] = []
    var slots: [String: Slot] = [:]

    init(origin: Origin, line: Int, column: Int) {
        self.origin = origin
        self.line = line
        self.column = column
    }
}

private final class TableArrayNode {
    var tables: [TableNode]
    init(_ first: TableNode) { tables = [first] }
}

private enum Slot {
    case value(TOMLValue, line: Int, column: Int)
    case table(TableNode, line: Int, column: Int)
    case tableArray(TableArrayNode, line: Int, column: Int)

    var line: Int {
        switch self {
        case .value(_, let line, _), .table(_, let line, _), .tableArray(_, let line, _): line
        }
    }
}

private struct KeySegment {
    var name: String
    var line: Int
    var column: Int
}

// MARK: - The parser

private struct TOMLParser {
    let bytes: [UInt8]
    let file: String
    var position = 0
    var line = 1
    /// 1-based column of `position`, in Unicode scalars.
    var column = 1
    let root: TableNode
    var current: TableNode

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
        self.root = TableNode(origin: .header, line: 1, column: 1)
        self.current = root
    }

    // MARK: Document

    mutating func parseDocument() throws(TOMLError) -> TOMLTable {
        guard bytes.count <= TOMLDocument.maximumBytes else {
            throw TOMLError(file: file, line: 1, column: 1, message: "the file is \(bytes.count) bytes; at most \(TOMLDocument.maximumBytes) bytes (1 MiB) are accepted")
        }
        try validateEncoding()
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            position = 3
        }
        while true {
            skipWhitespace()
            guard let byte = peek() else { break }
            switch byte {
            case UInt8(ascii: "#"): try skipComment()
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"): try consumeNewline()
            case UInt8(ascii: "["):
                try parseHeader()
                try expectEndOfLine(after: "the table header")
            default:
                try parseKeyValue(into: current, depth: 0)
                try expectEndOfLine(after: "the value")
            }
        }
        return convert(root)
    }

    /// Rejects invalid UTF-8 and NUL bytes up front, so the rest can copy bytes freely.
    mutating func validateEncoding() throws(TOMLError) {
        var index = 0
        var line = 1
        var lineStart = 0
        func fail(_ message: String) -> TOMLError {
            let column = 1 + bytes[lineStart..<index].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
            return TOMLError(file: file, line: line, column: column, message: message)
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0 { throw fail("NUL byte: this is not a text file") }
            if byte < 0x80 {
                if byte == UInt8(ascii: "\n") {
                    line += 1
                    lineStart = index + 1
                }
                index += 1
                continue
            }
            let count: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch byte {
            case 0xC2...0xDF: count = 1
            case 0xE0: count = 2; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: count = 2
            case 0xED: count = 2; high = 0x9F
            case 0xF0: count = 3; low = 0x90
            case 0xF1...0xF3: count = 3
            case 0xF4: count = 3; high = 0x8F
            default: throw fail("invalid UTF-8 (byte 0x\(String(byte, radix: 16, uppercase: true)))")
            }
            guard index + count < bytes.count else {
                throw fail("invalid UTF-8 (truncated character at the end of the file)")
            }
            for offset in 1...count {
                let next = bytes[index + offset]
                let (min, max) = offset == 1 ? (low, high) : (UInt8(0x80), UInt8(0xBF))
                guard next >= min, next <= max else {
                    throw fail("invalid UTF-8 (byte 0x\(String(byte, radix: 16, uppercase: true)) followed by 0x\(String(next, radix: 16, uppercase: true)))")
                }
            }
            index += count + 1
        }
    }

    // MARK: Low-level reading

    func peek(_ offset: Int = 0) -> UInt8? {
        let index = position + offset
        return index < bytes.count ? bytes[index] : nil
    }

    /// Moves past one byte, keeping the line and column (counted in Unicode scalars) up to date in
    /// constant time, so long lines cost nothing extra.
    mutating func advance() {
        let byte = bytes[position]
        if byte == UInt8(ascii: "\n") {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
        position += 1
    }

    func error(_ message: String) -> TOMLError {
        TOMLError(file: file, line: line, column: column, message: message)
    }

    func error(_ message: String, line: Int, column: Int) -> TOMLError {
        TOMLError(file: file, line: line, column: column, message: message)
    }

    /// What is at the current position, for "found ..." in messages.
    func found() -> String {
        guard let byte = peek() else { return "the end of the file" }
        switch byte {
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"): return "the end of the line"
        case 0x20..<0x7F: return "'\(Character(Unicode.Scalar(byte)))'"
        default:
            var end = position + 1
            while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
            return "'\(String(decoding: bytes[position..<end], as: UTF8.self))'"
        }
    }

    mutating func skipWhitespace() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { advance() }
    }

    /// Skips whitespace, newlines and comments (inside arrays).
    mutating func skipWhitespaceAndComments() throws(TOMLError) {
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"): advance()
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"): try consumeNewline()
            case UInt8(ascii: "#"): try skipComment()
            default: return
            }
        }
    }

    mutating func consumeNewline() throws(TOMLError) {
        if peek() == UInt8(ascii: "\r") {
            guard peek(1) == UInt8(ascii: "\n") else {
                throw error("a carriage return must be followed by a newline")
            }
            advance()
        }
        advance()
    }

    mutating func skipComment() throws(TOMLError) {
        advance()  // '#'
        while let byte = peek(), byte != UInt8(ascii: "\n") {
            if byte == UInt8(ascii: "\r"), peek(1) == UInt8(ascii: "\n") { return }
            if isForbiddenControl(byte) {
                throw error("control character U+\(hex4(byte)) is not allowed in a comment")
            }
            advance()
        }
    }

    mutating func expectEndOfLine(after what: String) throws(TOMLError) {
        skipWhitespace()
        if peek() == UInt8(ascii: "#") { try skipComment() }
        guard let byte = peek() else { return }
        guard byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") else {
            throw error("expected the end of the line after \(what), found \(found())")
        }
        try consumeNewline()
    }

    func isForbiddenControl(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != UInt8(ascii: "\t")) || byte == 0x7F
    }

    func hex4(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    // MARK: Keys

    mutating func parseKey() throws(TOMLError) -> [KeySegment] {
        var segments: [KeySegment] = []
        while true {
            skipWhitespace()
            let startLine = line
            let startColumn = column
            let name: String
            switch peek() {
            case UInt8(ascii: "\""):
                if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") {
                    throw error("a key cannot be a multi-line string")
                }
                name = try parseBasicString()
            case UInt8(ascii: "'"):
                if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") {
                    throw error("a key cannot be a multi-line string")
                }
                name = try parseLiteralString()
            default:
                let start = position
                while let byte = peek(), isBareKeyByte(byte) { advance() }
                guard position > start else {
                    throw error("expected a key, found \(found())")
                }
                name = String(decoding: bytes[start..<position], as: UTF8.self)
            }
            segments.append(KeySegment(name: name, line: startLine, column: startColumn))
            guard segments.count <= TOMLDocument.maximumDepth else {
                throw error("the key has more than \(TOMLDocument.maximumDepth) dotted parts", line: startLine, column: startColumn)
            }
            skipWhitespace()
            guard peek() == UInt8(ascii: ".") else { return segments }
            advance()
        }
    }

    func isBareKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }

    func dotted(_ segments: some Collection<KeySegment>) -> String {
        segments.map { segment in
            segment.name.utf8.allSatisfy(isBareKeyByte) && !segment.name.isEmpty ? segment.name : "\"\(segment.name)\""
        }.joined(separator: ".")
    }

    // MARK: Key/value pairs and headers

    mutating func parseKeyValue(into table: TableNode, depth: Int) throws(TOMLError) {
        let segments = try parseKey()
        skipWhitespace()
        guard peek() == UInt8(ascii: "=") else {
            throw error("expected '=' after the key '\(dotted(segments))', found \(found())")
        }
        advance()
        skipWhitespace()
        let value = try parseValue(depth: depth)
        try insert(value, at: segments, into: table)
    }

    func insert(_ value: TOMLValue, at segments: [KeySegment], into table: TableNode) throws(TOMLError) {
        var node = table
        for (index, segment) in segments.dropLast().enumerated() {
            let path = dotted(segments[...index])
            switch node.slots[segment.name] {
            case nil:
                let child = TableNode(origin: .dotted, line: segment.line, column: segment.column)
                node.slots[segment.name] = .table(child, line: segment.line, column: segment.column)
                node.order.append(segment.name)
                node = child
            case .table(let child, _, _) where child.origin == .dotted:
                node = child
            case .table(let child, let line, _):
                throw error("cannot add to table '\(path)' with a dotted key: it was defined on line \(child.origin == .implicit ? line : child.line)", line: segment.line, column: segment.column)
            case .tableArray(_, let line, _):
                throw error("cannot add to '\(path)' with a dotted key: it is an array of tables (line \(line))", line: segment.line, column: segment.column)
            case .value(_, let line, _):
                throw error("'\(path)' is already a value (line \(line)), not a table", line: segment.line, column: segment.column)
            }
        }
        let last = segments[segments.count - 1]
        if let existing = node.slots[last.name] {
            throw error("duplicate key '\(dotted(segments))' (first defined on line \(existing.line))", line: last.line, column: last.column)
        }
        node.slots[last.name] = .value(value, line: last.line, column: last.column)
        node.order.append(last.name)
    }

    mutating func parseHeader() throws(TOMLError) {
        let headerLine = line
        let headerColumn = column
        advance()  // '['
        let isArray = peek() == UInt8(ascii: "[")
        if isArray { advance() }
        let segments = try parseKey()
        skipWhitespace()
        guard peek() == UInt8(ascii: "]") else {
            throw error("expected '\(isArray ? "]]" : "]")' to end the table header, found \(found())")
        }
        advance()
        if isArray {
            guard peek() == UInt8(ascii: "]") else {
                throw error("expected ']]' to end the array-of-tables header, found \(found())")
            }
            advance()
        }
        let name = dotted(segments)
        var node = root
        for (index, segment) in segments.dropLast().enumerated() {
            switch node.slots[segment.name] {
            case nil:
                let child = TableNode(origin: .implicit, line: segment.line, column: segment.column)
                node.slots[segment.name] = .table(child, line: segment.line, column: segment.column)
                node.order.append(segment.name)
                node = child
            case .table(let child, _, _):
                node = child
            case .tableArray(let array, _, _):
                node = array.tables[array.tables.count - 1]
            case .value(_, let line, _):
                throw error("'\(dotted(segments[...index]))' is already a value (line \(line)), not a table", line: segment.line, column: segment.column)
            }
        }
        let last = segments[segments.count - 1]
        let existing = node.slots[last.name]
        if isArray {
            let element = TableNode(origin: .closed, line: headerLine, column: headerColumn)
            switch existing {
            case nil:
                node.slots[last.name] = .tableArray(TableArrayNode(element), line: headerLine, column: headerColumn)
                node.order.append(last.name)
            case .tableArray(let array, _, _):
                array.tables.append(element)
            case .table(_, let line, _):
                throw error("cannot define [[\(name)]]: '\(name)' is already a table (line \(line))", line: headerLine, column: headerColumn)
            case .value(_, let line, _):
                throw error("cannot define [[\(name)]]: '\(name)' is already a value (line \(line))", line: headerLine, column: headerColumn)
            }
            current = element
            return
        }
        switch existing {
        case nil:
            let table = TableNode(origin: .header, line: headerLine, column: headerColumn)
            node.slots[last.name] = .table(table, line: headerLine, column: headerColumn)
            node.order.append(last.name)
            current = table
        case .table(let table, _, _) where table.origin == .implicit:
            table.origin = .header
            table.line = headerLine
            table.column = headerColumn
            current = table
        case .table(let table, let line, _):
            let how = table.origin == .dotted ? "by dotted keys on line \(line)" : "on line \(table.line)"
            throw error("table [\(name)] is defined twice (first \(how))", line: headerLine, column: headerColumn)
        case .tableArray(_, let line, _):
            throw error("'\(name)' is an array of tables (line \(line)); use [[\(name)]] to add to it", line: headerLine, column: headerColumn)
        case .value(_, let line, _):
            throw error("cannot define table [\(name)]: '\(name)' is already a value (line \(line))", line: headerLine, column: headerColumn)
        }
    }

    // MARK: Values

    mutating func parseValue(depth: Int) throws(TOMLError) -> TOMLValue {
        let startLine = line
        let startColumn = column
        func value(_ storage: TOMLValue.Storage) -> TOMLValue {
            TOMLValue(storage, line: startLine, column: startColumn)
        }
        guard let byte = peek() else { throw error("expected a value, found the end of the file") }
        switch byte {
        case UInt8(ascii: "\""):
            if peek(1) == UInt8(ascii: "\""), peek(2) == UInt8(ascii: "\"") {
                return value(.string(try parseMultilineString(literal: false)))
            }
            return value(.string(try parseBasicString()))
        case UInt8(ascii: "'"):
            if peek(1) == UInt8(ascii: "'"), peek(2) == UInt8(ascii: "'") {
                return value(.string(try parseMultilineString(literal: true)))
            }
            return value(.string(try parseLiteralString()))
        case UInt8(ascii: "["):
            guard depth < TOMLDocument.maximumDepth else {
                throw error("arrays and inline tables are nested more than \(TOMLDocument.maximumDepth) levels deep")
            }
            return value(.array(try parseArray(depth: depth + 1)))
        case UInt8(ascii: "{"):
            guard depth < TOMLDocument.maximumDepth else {
                throw error("arrays and inline tables are nested more than \(TOMLDocument.maximumDepth) levels deep")
            }
            return value(.table(try parseInlineTable(depth: depth + 1, line: startLine, column: startColumn)))
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "#"), UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"):
            throw error("expected a value, found \(found())")
        default:
            return value(try parseScalarToken())
        }
    }

    /// Booleans, numbers and (rejected) dates: one run of token characters.
    mutating func parseScalarToken() throws(TOMLError) -> TOMLValue.Storage {
        let startColumn = column
        let start = position
        while let byte = peek(), isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":") {
            advance()
        }
        guard position > start else { throw error("expected a value, found \(found())") }
        let token = Array(bytes[start..<position])
        let text = String(decoding: token, as: UTF8.self)
        func fail(_ message: String) -> TOMLError { error(message, line: line, column: startColumn) }

        switch text {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        if looksLikeDate(token) {
            throw fail("dates and times are not supported here; write '\(text)' as a quoted string if you need it")
        }
        if token.count > 2, token[0] == UInt8(ascii: "0"), [UInt8(ascii: "x"), UInt8(ascii: "o"), UInt8(ascii: "b")].contains(token[1]) {
            let radix = token[1] == UInt8(ascii: "x") ? 16 : token[1] == UInt8(ascii: "o") ? 8 : 2
            let digits = Array(token[2...])
            guard validDigitRun(digits, radix: radix) else {
                throw fail("'\(text)' is not a valid base-\(radix) integer")
            }
            let clean = String(decoding: digits.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
            guard let number = Int64(clean, radix: radix) else {
                throw fail("integer '\(text)' does not fit in 64 bits")
            }
            return .integer(number)
        }
        var body = token[...]
        var negative = false
        if let sign = body.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            body = body.dropFirst()
        }
        // Integer part: 0 or a digit run without a leading zero.
        let integerEnd = body.firstIndex { !(isDigit($0) || $0 == UInt8(ascii: "_")) } ?? body.endIndex
        let integerPart = Array(body[..<integerEnd])
        let rest = body[integerEnd...]
        guard !integerPart.isEmpty, validDigitRun(integerPart, radix: 10) else {
            if text.first?.isLetter == true {
                throw fail("expected a value, found '\(text)' (strings need quotes: \"\(text)\")")
            }
            throw fail("'\(text)' is not a valid number")
        }
        guard integerPart.count == 1 || integerPart[0] != UInt8(ascii: "0") else {
            throw fail("'\(text)' has a leading zero (not allowed in TOML numbers)")
        }
        if rest.isEmpty {
            let clean = (negative ? "-" : "") + String(decoding: integerPart.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
            guard let number = Int64(clean) else { throw fail("integer '\(text)' does not fit in 64 bits") }
            return .integer(number)
        }
        // Float: optional fraction, optional exponent, at least one of them.
        var remaining = rest
        if remaining.first == UInt8(ascii: ".") {
            remaining = remaining.dropFirst()
            let end = remaining.firstIndex { !(isDigit($0) || $0 == UInt8(ascii: "_")) } ?? remaining.endIndex
            guard validDigitRun(Array(remaining[..<end]), radix: 10) else {
                throw fail("'\(text)' is not a valid number (a decimal point needs digits on both sides)")
            }
            remaining = remaining[end...]
        }
        if let e = remaining.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            remaining = remaining.dropFirst()
            if let sign = remaining.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                remaining = remaining.dropFirst()
            }
            let end = remaining.firstIndex { !(isDigit($0) || $0 == UInt8(ascii: "_")) } ?? remaining.endIndex
            guard validDigitRun(Array(remaining[..<end]), radix: 10) else {
                throw fail("'\(text)' is not a valid number (bad exponent)")
            }
            remaining = remaining[end...]
        }
        guard remaining.isEmpty else { throw fail("'\(text)' is not a valid number") }
        let clean = String(decoding: token.filter { $0 != UInt8(ascii: "_") }, as: UTF8.self)
        guard let number = Double(clean), number.isFinite else {
            throw fail("'\(text)' is not a valid float (out of range)")
        }
        return .float(number)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Digits of `radix` with single underscores only between digits.
    func validDigitRun(_ digits: [UInt8], radix: Int) -> Bool {
        guard let first = digits.first, let last = digits.last,
              first != UInt8(ascii: "_"), last != UInt8(ascii: "_") else { return false }
        var previousUnderscore = false
        for byte in digits {
            if byte == UInt8(ascii: "_") {
                if previousUnderscore { return false }
                previousUnderscore = true
                continue
            }
            previousUnderscore = false
            let value: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = Int(byte - UInt8(ascii: "A")) + 10
            default: return false
            }
            if value >= radix { return false }
        }
        return true
    }

    /// `1979-05-27...` or `07:32:00...`.
    func looksLikeDate(_ token: [UInt8]) -> Bool {
        if token.count >= 5, token[0..<4].allSatisfy(isDigit), token[4] == UInt8(ascii: "-") { return true }
        if token.count >= 3, token[0..<2].allSatisfy(isDigit), token[2] == UInt8(ascii: ":") { return true }
        return false
    }

    mutating func parseArray(depth: Int) throws(TOMLError) -> [TOMLValue] {
        advance()  // '['
        var elements: [TOMLValue] = []
        while true {
            try skipWhitespaceAndComments()
            if peek() == UInt8(ascii: "]") {
                advance()
                return elements
            }
            elements.append(try parseValue(depth: depth))
            try skipWhitespaceAndComments()
            switch peek() {
            case UInt8(ascii: ","): advance()
            case UInt8(ascii: "]"):
                advance()
                return elements
            case nil: throw error("unterminated array: expected ']' before the end of the file")
            default: throw error("expected ',' or ']' in the array, found \(found())")
            }
        }
    }

    mutating func parseInlineTable(depth: Int, line tableLine: Int, column tableColumn: Int) throws(TOMLError) -> TOMLTable {
        advance()  // '{'
        let node = TableNode(origin: .closed, line: tableLine, column: tableColumn)
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            advance()
            return convert(node)
        }
        while true {
            skipWhitespace()
            if let byte = peek(), byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                throw error("an inline table must be written on one line (use a [table] for more)")
            }
            try parseKeyValue(into: node, depth: depth)
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","):
                advance()
                skipWhitespace()
                if peek() == UInt8(ascii: "}") {
                    throw error("a trailing comma is not allowed in an inline table")
                }
            case UInt8(ascii: "}"):
                advance()
                return convert(node)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw error("an inline table must be written on one line (use a [table] for more)")
            case nil: throw error("unterminated inline table: expected '}' before the end of the file")
            default: throw error("expected ',' or '}' in the inline table, found \(found())")
            }
        }
    }

    // MARK: Strings

    mutating func parseBasicString() throws(TOMLError) -> String {
        advance()  // '"'
        var output: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("unterminated string: expected '\"' before the end of the file") }
            switch byte {
            case UInt8(ascii: "\""):
                advance()
                return String(decoding: output, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &output)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw error("unterminated string: a \"...\" string ends on the same line (use \"\"\"...\"\"\" for several lines)")
            default:
                if isForbiddenControl(byte) {
                    throw error("control character U+\(hex4(byte)) must be escaped in a string")
                }
                output.append(byte)
                advance()
            }
        }
    }

    mutating func parseLiteralString() throws(TOMLError) -> String {
        advance()  // '\''
        let start = position
        while true {
            guard let byte = peek() else { throw error("unterminated string: expected \"'\" before the end of the file") }
            switch byte {
            case UInt8(ascii: "'"):
                let text = String(decoding: bytes[start..<position], as: UTF8.self)
                advance()
                return text
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw error("unterminated string: a '...' string ends on the same line (use '''...''' for several lines)")
            default:
                if isForbiddenControl(byte) {
                    throw error("control character U+\(hex4(byte)) is not allowed in a literal string")
                }
                advance()
            }
        }
    }

    mutating func parseMultilineString(literal: Bool) throws(TOMLError) -> String {
        let quote = literal ? UInt8(ascii: "'") : UInt8(ascii: "\"")
        advance(); advance(); advance()
        // A newline right after the opening delimiter is trimmed.
        if peek() == UInt8(ascii: "\n") {
            advance()
        } else if peek() == UInt8(ascii: "\r"), peek(1) == UInt8(ascii: "\n") {
            advance(); advance()
        }
        var output: [UInt8] = []
        while true {
            guard let byte = peek() else {
                throw error("unterminated multi-line string: expected \(literal ? "'''" : "\"\"\"") before the end of the file")
            }
            if byte == quote, peek(1) == quote, peek(2) == quote {
                var count = 0
                while peek() == quote {
                    count += 1
                    advance()
                }
                guard count <= 5 else {
                    throw error("too many quotes at the end of a multi-line string")
                }
                output.append(contentsOf: repeatElement(quote, count: count - 3))
                return String(decoding: output, as: UTF8.self)
            }
            switch byte {
            case UInt8(ascii: "\\") where !literal:
                // A backslash at the end of a line trims the newline and following whitespace.
                var probe = 1
                while let next = peek(probe), next == UInt8(ascii: " ") || next == UInt8(ascii: "\t") { probe += 1 }
                let next = peek(probe)
                if next == UInt8(ascii: "\n") || (next == UInt8(ascii: "\r") && peek(probe + 1) == UInt8(ascii: "\n")) {
                    for _ in 0..<probe { advance() }
                    while let space = peek(), [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains(space) {
                        if space == UInt8(ascii: "\r") {
                            try consumeNewline()
                        } else {
                            advance()
                        }
                    }
                } else {
                    try parseEscape(into: &output)
                }
            case UInt8(ascii: "\n"):
                output.append(byte)
                advance()
            case UInt8(ascii: "\r"):
                try consumeNewline()
                output.append(UInt8(ascii: "\n"))
            default:
                if isForbiddenControl(byte) {
                    throw error("control character U+\(hex4(byte)) is not allowed in a string\(literal ? "" : " (escape it)")")
                }
                output.append(byte)
                advance()
            }
        }
    }

    mutating func parseEscape(into output: inout [UInt8]) throws(TOMLError) {
        let escapeColumn = column
        advance()  // '\\'
        guard let byte = peek() else { throw error("unterminated string: expected '\"' before the end of the file") }
        func simple(_ value: UInt8) {
            output.append(value)
            advance()
        }
        switch byte {
        case UInt8(ascii: "b"): simple(0x08)
        case UInt8(ascii: "t"): simple(0x09)
        case UInt8(ascii: "n"): simple(0x0A)
        case UInt8(ascii: "f"): simple(0x0C)
        case UInt8(ascii: "r"): simple(0x0D)
        case UInt8(ascii: "\""): simple(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): simple(UInt8(ascii: "\\"))
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = byte == UInt8(ascii: "u") ? 4 : 8
            advance()
            var value: UInt32 = 0
            for _ in 0..<count {
                guard let digit = peek(), let nibble = hexValue(digit) else {
                    throw error("\\\(Character(Unicode.Scalar(byte))) needs exactly \(count) hexadecimal digits", line: line, column: escapeColumn)
                }
                value = value << 4 | UInt32(nibble)
                advance()
            }
            guard let scalar = Unicode.Scalar(value) else {
                throw error("\\\(Character(Unicode.Scalar(byte)))\(String(value, radix: 16, uppercase: true)) is not a Unicode scalar value", line: line, column: escapeColumn)
            }
            output.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
            let shown = (0x21..<0x7F).contains(byte) ? "'\\\(Character(Unicode.Scalar(byte)))'" : "a backslash before \(found())"
            throw error("invalid escape: \(shown) (valid: \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX)", line: line, column: escapeColumn)
        }
    }

    func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    // MARK: Conversion

    func convert(_ node: TableNode) -> TOMLTable {
        var entries: [TOMLTable.Entry] = []
        entries.reserveCapacity(node.order.count)
        for key in node.order {
            guard let slot = node.slots[key] else { continue }
            let value: TOMLValue
            let keyLine: Int
            let keyColumn: Int
            switch slot {
            case .value(let stored, let line, let column):
                value = stored
                keyLine = line
                keyColumn = column
            case .table(let child, let line, let column):
                value = TOMLValue(.table(convert(child)), line: child.line, column: child.column)
                keyLine = line
                keyColumn = column
            case .tableArray(let array, let line, let column):
                let tables = array.tables.map { TOMLValue(.table(convert($0)), line: $0.line, column: $0.column) }
                value = TOMLValue(.array(tables), line: line, column: column)
                keyLine = line
                keyColumn = column
            }
            entries.append(TOMLTable.Entry(key: key, line: keyLine, column: keyColumn, value: value))
        }
        return TOMLTable(entries: entries, line: node.line)
    }
}
