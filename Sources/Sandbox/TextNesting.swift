/// Measures how deeply WebAssembly text nests parentheses, without parsing it.
///
/// The text parser recurses for every nested folded instruction or s-expression, so text nested a
/// few thousand levels deep overflows the parser's stack; this scan runs first, in one pass and
/// constant stack. Parentheses inside strings and comments do not count: the scan follows the
/// lexer's rules for `;; line comments`, `(; block comments ;)` (which nest) and `"strings"` (with
/// backslash escapes).
enum TextNesting {
    /// The first place where nesting goes deeper than `limit`, or nil when it never does.
    static func firstExcess(in text: String, limit: Int) -> (line: Int, depth: Int)? {
        var text = text
        return text.withUTF8 { bytes -> (line: Int, depth: Int)? in
            let semicolon = UInt8(ascii: ";"), open = UInt8(ascii: "("), close = UInt8(ascii: ")")
            let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), newline = UInt8(ascii: "\n")
            let count = bytes.count
            var index = 0
            var depth = 0
            var line = 1
            while index < count {
                let byte = bytes[index]
                let next: UInt8? = index + 1 < count ? bytes[index + 1] : nil
                switch byte {
                case newline:
                    line += 1
                    index += 1
                case semicolon where next == semicolon:
                    // A line comment runs to the end of the line.
                    index += 2
                    while index < count, bytes[index] != newline { index += 1 }
                case open where next == semicolon:
                    // A block comment; `(;` inside it opens another level, `;)` closes one.
                    index += 2
                    var level = 1
                    while index < count, level > 0 {
                        let inner = bytes[index]
                        let after: UInt8? = index + 1 < count ? bytes[index + 1] : nil
                        if inner == newline { line += 1 }
                        if inner == open, after == semicolon {
                            level += 1
                        } else if inner == semicolon, after == close {
                            level -= 1
                            index += 1
                        }
                        index += 1
                    }
                case quote:
                    index += 1
                    while index < count, bytes[index] != quote {
                        if bytes[index] == newline { line += 1 }
                        index += bytes[index] == backslash ? 2 : 1
                    }
                    index += 1
                case open:
                    depth += 1
                    if depth > limit { return (line, depth) }
                    index += 1
                case close:
                    depth = max(0, depth - 1)
                    index += 1
                default:
                    index += 1
                }
            }
            return nil
        }
    }
}
