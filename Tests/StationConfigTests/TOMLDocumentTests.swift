import Testing
@testable import StationConfig

/// Parses `text`, failing the test (and returning an empty table) on a syntax error.
func parse(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> TOMLTable {
    do {
        return try TOMLDocument(parsing: text, file: "test.toml").root
    } catch {
        Issue.record("unexpected TOML error: \(error)", sourceLocation: sourceLocation)
        return TOMLTable()
    }
}

/// The error `text` produces, or nil (recording an issue) when it parses.
func parseError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> TOMLError? {
    parseError(bytes: Array(text.utf8), sourceLocation: sourceLocation)
}

func parseError(bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> TOMLError? {
    do {
        let document = try TOMLDocument(bytes: bytes, file: "bad.toml")
        Issue.record("expected an error, parsed \(document.root)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

extension TOMLTable {
    /// Follows a path of keys through nested tables.
    func at(_ path: String...) -> TOMLValue? {
        var table = self
        for key in path.dropLast() {
            guard let next = table[key]?.table else { return nil }
            table = next
        }
        return table[path[path.count - 1]]
    }
}

@Suite("TOML parser: conformance")
struct TOMLConformanceTests {
    @Test("comments and bare, quoted and dotted keys, with their lines")
    func keys() {
        let root = parse("""
        # a comment on line 1
        bare = 1 # trailing comment
        bare-key_2 = 2
        "quoted key" = 3
        'literal key' = 4
        site."google.com" = true
        a . b . c = 5

        1234 = "digits are bare keys"
        "" = "empty quoted key"
        """)
        #expect(root.keys == ["bare", "bare-key_2", "quoted key", "literal key", "site", "a", "1234", ""])
        #expect(root["bare"]?.integer == 1)
        #expect(root.entry("bare")?.line == 2)
        #expect(root.entry("bare-key_2")?.line == 3)
        #expect(root["quoted key"]?.integer == 3)
        #expect(root.entry("quoted key")?.line == 4)
        #expect(root["literal key"]?.integer == 4)
        #expect(root.at("site", "google.com")?.boolean == true)
        #expect(root.at("site", "google.com")?.line == 6)
        #expect(root.at("a", "b", "c")?.integer == 5)
        #expect(root.at("a", "b", "c")?.line == 7)
        #expect(root["1234"]?.string == "digits are bare keys")
        #expect(root["1234"]?.line == 9)
        #expect(root[""]?.string == "empty quoted key")
        #expect(root["bare"]?.column == 8)
    }

    @Test("tables and arrays of tables record their header lines")
    func tables() {
        let root = parse("""
        top = "x"

        [server]
        host = "a"

        [server.tls]
        on = true

        [[module]]
        manifest = "one"

        [[module]]
        manifest = "two"
        [module.extra]
        deep = 1

        [x.y.z]
        w = 1
        [x]
        v = 2
        """)
        #expect(root["server"]?.line == 3)
        #expect(root.at("server", "host")?.string == "a")
        #expect(root.at("server", "host")?.line == 4)
        #expect(root.at("server", "tls", "on")?.line == 7)
        #expect(root.at("server", "tls")?.line == 6)
        let modules = root["module"]?.array ?? []
        #expect(modules.count == 2)
        #expect(modules.map(\.line) == [9, 12])
        #expect(modules.first?.table?["manifest"]?.string == "one")
        #expect(modules.last?.table?["manifest"]?.line == 13)
        #expect(modules.last?.table?["extra"]?.table?["deep"]?.integer == 1)
        #expect(root["module"]?.typeDescription == "an array of tables")
        // An implicit parent may get its own header later.
        #expect(root.at("x", "y", "z", "w")?.integer == 1)
        #expect(root.at("x", "v")?.integer == 2)
        #expect(root["x"]?.line == 19)
    }

    @Test("basic strings and every escape")
    func basicStrings() {
        let root = parse(#"""
        plain = "hello, world"
        escapes = "tab\tnewline\nquote\"backslash\\cr\rbs\bff\f"
        unicode = "\u00e9\u4e2d\U0001F600"
        raw = "é中 😀"
        """#)
        #expect(root["plain"]?.string == "hello, world")
        #expect(root["escapes"]?.string == "tab\tnewline\nquote\"backslash\\cr\rbs\u{8}ff\u{C}")
        #expect(root["unicode"]?.string == "é中😀")
        #expect(root["raw"]?.string == "é中 😀")
        #expect(root["unicode"]?.line == 3)
    }

    @Test("literal strings keep backslashes")
    func literalStrings() {
        let root = parse(#"""
        path = 'C:\Users\nodejs\templates'
        regex = '<\i\c*\s*>'
        quoted = 'say "hi"'
        """#)
        #expect(root["path"]?.string == #"C:\Users\nodejs\templates"#)
        #expect(root["regex"]?.string == #"<\i\c*\s*>"#)
        #expect(root["quoted"]?.string == #"say "hi""#)
    }

    @Test("multi-line basic strings: first newline trimmed, line-ending backslash, quotes at the end")
    func multilineBasic() {
        let root = parse("""
        a = \"\"\"
        Roses are red
        Violets are blue\"\"\"
        b = \"\"\"\\
               The quick brown \\
               fox.\\
               \"\"\"
        c = \"\"\"Here are two quotation marks: "". Simple enough.\"\"\"
        d = \"\"\"ends with quotes""\"\"\"
        e = \"\"\"escape \\u00e9 and tab\\t\"\"\"
        after = 1
        """)
        #expect(root["a"]?.string == "Roses are red\nViolets are blue")
        #expect(root["b"]?.string == "The quick brown fox.")
        #expect(root["c"]?.string == #"Here are two quotation marks: "". Simple enough."#)
        #expect(root["d"]?.string == #"ends with quotes"""#)
        #expect(root["e"]?.string == "escape é and tab\t")
        #expect(root["a"]?.line == 1)
        #expect(root["b"]?.line == 4)
        #expect(root["c"]?.line == 8)
        #expect(root["after"]?.line == 11)
    }

    @Test("multi-line literal strings")
    func multilineLiteral() {
        let root = parse("""
        regex = '''I [dw]on't need \\d{2} apples'''
        lines = '''
        The first newline is
        trimmed in raw strings.
           All other whitespace
           is preserved.
        '''
        quotes = ''''That,' she said, 'is still pointless.''''
        next = 2
        """)
        #expect(root["regex"]?.string == #"I [dw]on't need \d{2} apples"#)
        #expect(root["lines"]?.string == "The first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved.\n")
        #expect(root["quotes"]?.string == "'That,' she said, 'is still pointless.'")
        #expect(root["next"]?.line == 9)
    }

    @Test("integers: decimal with separators, hex, octal, binary")
    func integers() {
        let root = parse("""
        a = +99
        b = 42
        c = 0
        d = -17
        e = 1_000_000
        f = 5_349_221
        g = 0xDEADBEEF
        h = 0xdead_beef
        i = 0o755
        j = 0b1101_0110
        k = 9223372036854775807
        l = -9223372036854775808
        m = -0
        """)
        #expect(root["a"]?.integer == 99)
        #expect(root["b"]?.integer == 42)
        #expect(root["c"]?.integer == 0)
        #expect(root["d"]?.integer == -17)
        #expect(root["e"]?.integer == 1_000_000)
        #expect(root["f"]?.integer == 5_349_221)
        #expect(root["g"]?.integer == 0xDEADBEEF)
        #expect(root["h"]?.integer == 0xDEADBEEF)
        #expect(root["i"]?.integer == 0o755)
        #expect(root["j"]?.integer == 0b1101_0110)
        #expect(root["k"]?.integer == Int64.max)
        #expect(root["l"]?.integer == Int64.min)
        #expect(root["m"]?.integer == 0)
        #expect(root["j"]?.line == 10)
    }

    @Test("invalid integers", arguments: [
        "x = 0123", "x = 1__000", "x = _1", "x = 1_", "x = 0x", "x = 0xG1", "x = 0o8", "x = 0b2",
        "x = 9223372036854775808", "x = +0x10", "x = 0x_1", "x = 1 2",
    ])
    func invalidIntegers(text: String) {
        let error = parseError(text)
        #expect(error?.line == 1)
    }

    @Test("floats, including inf and nan")
    func floats() {
        let root = parse("""
        a = +1.0
        b = 3.1415
        c = -0.01
        d = 5e+22
        e = 1e06
        f = -2E-2
        g = 6.626e-34
        h = 224_617.445_991_228
        i = inf
        j = -inf
        k = nan
        l = +nan
        """)
        #expect(root["a"]?.storage.isFloat(1.0) == true)
        #expect(root["b"]?.number == 3.1415)
        #expect(root["c"]?.number == -0.01)
        #expect(root["d"]?.number == 5e22)
        #expect(root["e"]?.number == 1e6)
        #expect(root["f"]?.number == -2e-2)
        #expect(root["g"]?.number == 6.626e-34)
        #expect(root["h"]?.number == 224_617.445_991_228)
        #expect(root["i"]?.number == .infinity)
        #expect(root["j"]?.number == -.infinity)
        #expect(root["k"]?.number?.isNaN == true)
        #expect(root["l"]?.number?.isNaN == true)
        #expect(root["a"]?.integer == nil)
        #expect(root["a"]?.typeDescription == "a float")
    }

    @Test("invalid floats", arguments: ["x = .7", "x = 7.", "x = 3.e+20", "x = 1e", "x = 01.5", "x = 1.5_", "x = 1e999", "x = infinity"])
    func invalidFloats(text: String) {
        #expect(parseError(text)?.line == 1)
    }

    @Test("booleans")
    func booleans() {
        let root = parse("yes = true\nno = false")
        #expect(root["yes"]?.boolean == true)
        #expect(root["no"]?.boolean == false)
        #expect(root["no"]?.line == 2)
        #expect(parseError("x = True")?.message.contains("quotes") == true)
    }

    @Test("arrays: nested, mixed, multi-line with comments and a trailing comma")
    func arrays() {
        let root = parse("""
        integers = [ 1, 2, 3 ]
        nested = [ [ 1, 2 ], ["a", 'b'] ]
        mixed = [ 0.1, "x", true, { k = 1 } ]
        empty = []
        long = [
          "first",   # comment after an element
          # a comment line
          "second",
          "third",
        ]
        after = 1
        """)
        #expect(root["integers"]?.array?.compactMap(\.integer) == [1, 2, 3])
        #expect(root["nested"]?.array?.last?.array?.compactMap(\.string) == ["a", "b"])
        #expect(root["mixed"]?.array?.count == 4)
        #expect(root["mixed"]?.array?.last?.table?["k"]?.integer == 1)
        #expect(root["empty"]?.array?.isEmpty == true)
        let long = root["long"]?.array ?? []
        #expect(long.compactMap(\.string) == ["first", "second", "third"])
        #expect(long.map(\.line) == [6, 8, 9])
        #expect(root["long"]?.line == 5)
        #expect(root["after"]?.line == 11)
    }

    @Test("inline tables")
    func inlineTables() {
        let root = parse("""
        name = { first = "Tom", last = "Preston-Werner" }
        point = {x=1, y=2}
        animal = { type.name = "pug" }
        empty = {}
        """)
        #expect(root.at("name", "first")?.string == "Tom")
        #expect(root.at("name", "last")?.string == "Preston-Werner")
        #expect(root.at("point", "y")?.integer == 2)
        #expect(root.at("animal", "type", "name")?.string == "pug")
        #expect(root["empty"]?.table?.entries.isEmpty == true)
        #expect(root["point"]?.line == 2)
        #expect(root["point"]?.column == 9)
    }

    @Test("CRLF line endings and a byte-order mark")
    func crlfAndBOM() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a = 1\r\nb = \"\"\"\r\nx\r\ny\"\"\"\r\nc = 3\r\n".utf8)
        let root = try TOMLDocument(bytes: bytes, file: "crlf.toml").root
        #expect(root["a"]?.integer == 1)
        #expect(root["b"]?.string == "x\ny")
        #expect(root["c"]?.line == 5)
        #expect(root.entry("a")?.column == 1)
    }

    @Test("dates and times are rejected with a clear message", arguments: [
        "d = 1979-05-27", "d = 1979-05-27T07:32:00Z", "d = 07:32:00", "d = 1979-05-27 07:32:00",
    ])
    func dates(text: String) {
        let error = parseError(text)
        #expect(error?.message.contains("dates and times are not supported") == true)
        #expect(error?.line == 1)
    }
}

extension TOMLValue.Storage {
    func isFloat(_ expected: Double) -> Bool {
        if case .float(let value) = self { return value == expected }
        return false
    }
}

@Suite("TOML parser: errors")
struct TOMLErrorTests {
    @Test("errors print file:line:column: message")
    func errorFormat() {
        let error = parseError("a = 1\nb = \"unterminated\n")
        #expect(error?.line == 2)
        #expect(error?.column == 18)
        #expect(error?.description.hasPrefix("bad.toml:2:18: unterminated string") == true)
    }

    @Test("duplicate keys name the first line")
    func duplicateKeys() {
        let error = parseError("a = 1\nb = 2\na = 3")
        #expect(error?.line == 3)
        #expect(error?.message == "duplicate key 'a' (first defined on line 1)")
        #expect(parseError("a.b = 1\na.b = 2")?.line == 2)
        #expect(parseError("[t]\nx = 1\nx = 2")?.line == 3)
        #expect(parseError("p = { x = 1, x = 2 }")?.line == 1)
    }

    @Test("invalid escapes say which")
    func invalidEscapes() {
        #expect(parseError(#"a = "x\qy""#)?.message.hasPrefix(#"invalid escape: '\q' (valid:"#) == true)
        #expect(parseError(#"a = "x\qy""#)?.column == 7)
        #expect(parseError("a = \"x\\\ny\"")?.message.hasPrefix("invalid escape: a backslash before the end of the line") == true)
        #expect(parseError("a = \"\"\"x\\ y\"\"\"")?.message.hasPrefix("invalid escape: a backslash before ' '") == true)
    }

    @Test("tables defined twice or redefined are errors")
    func redefinedTables() {
        let twice = parseError("[a]\nx = 1\n[b]\n[a]\ny = 2")
        #expect(twice?.line == 4)
        #expect(twice?.message.contains("defined twice (first on line 1)") == true)
        // A table made by dotted keys cannot get a header.
        #expect(parseError("[fruit]\napple.color = \"red\"\n[fruit.apple]")?.line == 3)
        // A table made by a header cannot be extended by dotted keys.
        #expect(parseError("[a.b.c]\nz = 9\n[a]\nb.c.t = 1")?.line == 4)
        // A value cannot become a table.
        #expect(parseError("a = 1\n[a]")?.line == 2)
        #expect(parseError("a = 1\na.b = 2")?.line == 2)
        // Arrays of tables and tables do not mix.
        #expect(parseError("[a]\n[[a]]")?.line == 2)
        #expect(parseError("[[a]]\n[a]")?.message.contains("use [[a]]") == true)
        #expect(parseError("a = []\n[[a]]")?.line == 2)
        // Inline tables are closed.
        #expect(parseError("p = { x = 1 }\n[p]")?.line == 2)
        #expect(parseError("p = { x = 1 }\np.y = 2")?.line == 2)
    }

    @Test("malformed documents", arguments: [
        ("key", 1), ("key =", 1), ("= 1", 1), ("a = 1 b = 2", 1), ("[table", 1), ("[[a]", 1), ("[]", 1),
        ("a = [1, 2", 1), ("a = [1,,2]", 1), ("a = { x = 1,}", 1), ("a = { x = 1\n}", 1), ("a = \"\\q\"", 1),
        ("a = \"\\u12\"", 1), ("a = \"\\uD800\"", 1), ("a = \"\\U00110000\"", 1), ("a = 'x\ny'", 1),
        ("x = 1\na = \"\"\"never closed", 2), ("x = 1\ny = '''a''''''", 2), ("a.\"\"\"k\"\"\" = 1", 1),
        ("x = 1\ny = hello", 2), ("a = 1 # ok\nb = 2 3", 2), ("a = [1]\n  ]", 2),
    ])
    func malformed(text: String, line: Int) {
        #expect(parseError(text)?.line == line)
    }
}

@Suite("TOML parser: hostile input")
struct TOMLHostileInputTests {
    @Test("nesting is capped at 64 levels")
    func deepNesting() {
        let ok = "a = " + String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(parse(ok)["a"] != nil)
        let deep = "a = " + String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(parseError(deep)?.message.contains("nested more than 64 levels") == true)
        let huge = "a = " + String(repeating: "[", count: 100_000)
        #expect(parseError(huge)?.message.contains("nested more than 64 levels") == true)
        let inline = "a = " + String(repeating: "{b = ", count: 70) + "1" + String(repeating: "}", count: 70)
        #expect(parseError(inline)?.message.contains("nested more than 64 levels") == true)
        let dotted = Array(repeating: "k", count: 65).joined(separator: ".") + " = 1"
        #expect(parseError(dotted)?.message.contains("more than 64 dotted parts") == true)
        let header = "[" + Array(repeating: "k", count: 65).joined(separator: ".") + "]"
        #expect(parseError(header)?.message.contains("more than 64 dotted parts") == true)
    }

    @Test("files over 1 MiB are refused")
    func hugeFile() {
        let padding = "# " + String(repeating: "x", count: TOMLDocument.maximumBytes) + "\n"
        #expect(parseError(padding)?.message.contains("at most 1048576 bytes") == true)
    }

    @Test("a long single line and many keys near the size cap parse, with columns")
    func largeButValid() throws {
        let count = 300_000
        let line = "a = [" + String(repeating: "1,", count: count) + "]"
        let root = try TOMLDocument(parsing: line, file: "wide.toml").root
        let elements = root["a"]?.array ?? []
        #expect(elements.count == count)
        #expect(elements.last?.column == 6 + 2 * (count - 1))
        let keys = (0..<50_000).map { "k\($0) = \($0)" }.joined(separator: "\n")
        let table = try TOMLDocument(parsing: keys, file: "tall.toml").root
        #expect(table.entries.count == 50_000)
        #expect(table.entries.last?.line == 50_000)
        #expect(table.entries.last?.value.integer == 49_999)
    }

    @Test("invalid UTF-8 is reported with its line")
    func invalidUTF8() {
        let cases: [[UInt8]] = [
            Array("a = 1\nb = \"".utf8) + [0xFF] + Array("\"".utf8),
            Array("a = 1\nb = \"".utf8) + [0xC3] + Array("\"".utf8),  // truncated two-byte character
            Array("a = 1\nb = \"".utf8) + [0xED, 0xA0, 0x80] + Array("\"".utf8),  // encoded surrogate
            Array("a = 1\nb = \"".utf8) + [0xC0, 0xAF] + Array("\"".utf8),  // overlong
            Array("a = 1\n# ".utf8) + [0xE2, 0x82],  // truncated at the end of the file
        ]
        for bytes in cases {
            let error = parseError(bytes: bytes)
            #expect(error?.message.contains("invalid UTF-8") == true)
            #expect(error?.line == 2)
        }
    }

    @Test("NUL bytes and stray control characters are errors")
    func controlCharacters() {
        #expect(parseError(bytes: Array("a = 1\nb = \"x".utf8) + [0] + Array("\"".utf8))?.message.contains("NUL") == true)
        #expect(parseError("a = \"x\u{7}y\"")?.message.contains("U+0007") == true)
        #expect(parseError("# bell \u{7}\na = 1")?.line == 1)
        #expect(parseError("a = 1\rb = 2")?.message.contains("carriage return") == true)
        #expect(parseError("a = '''x\u{1B}y'''")?.line == 1)
    }

    @Test("every prefix of a valid document parses or fails cleanly")
    func truncations() {
        let document = """
        # station
        [daemon]
        state = "/var/lib/station" # where
        [budget]
        memory = "1GiB"
        cpu = 50.5
        list = [ 1, [2, 3], { a = 'x' }, ]
        text = \"\"\"
        multi \\
          line \\u00e9\"\"\"
        [[module]]
        manifest = "m/module.toml"
        hex = 0xFF_FF
        """
        let bytes = Array(document.utf8)
        var failures = 0
        for length in 0...bytes.count {
            do {
                _ = try TOMLDocument(bytes: Array(bytes[..<length]), file: "cut.toml")
            } catch {
                failures += 1
                #expect(error.line >= 1 && error.line <= 13)
                #expect(error.column >= 1)
            }
        }
        #expect(failures > 0)
        #expect(parse(document)["module"]?.array?.count == 1)
    }

    @Test("random byte soup never crashes")
    func randomBytes() {
        var generator = SplitMix(seed: 42)
        let alphabet = Array("[]{}=,.\"'\\#\n\r\t azAZ019_-+:xob\u{e9}".utf8) + [0xFF, 0xC3, 0x00]
        var parsed = 0
        for _ in 0..<2000 {
            let length = Int(generator.next() % 40)
            let bytes = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            if (try? TOMLDocument(bytes: bytes, file: "soup.toml")) != nil { parsed += 1 }
        }
        // Some inputs (the empty one, at least) are valid documents.
        #expect(parsed > 0)
    }
}

/// A small deterministic generator for property tests.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
