/// One TOML value with the place it was written.
///
/// Every value knows its 1-based line and column, so configuration errors can point at the exact
/// spot. Tables (including `[table]` headers and inline tables) are ``TOMLTable`` values; an array
/// of tables (`[[name]]`) is an ``Storage/array(_:)`` of tables.
public struct TOMLValue: Sendable, CustomStringConvertible {
    /// The value itself.
    public enum Storage: Sendable {
        /// Any of the four string forms, escapes resolved.
        case string(String)
        /// A 64-bit integer (decimal, hex, octal or binary in the file).
        case integer(Int64)
        /// A float, including infinities and NaN.
        case float(Double)
        case boolean(Bool)
        /// An array (`[...]`), or the tables of an `[[array.of.tables]]`.
        case array([TOMLValue])
        /// A `[table]`, an inline table, or a table made by dotted keys.
        case table(TOMLTable)
    }

    /// The value.
    public var storage: Storage
    /// 1-based line where the value starts (for a `[table]`, the header's line).
    public var line: Int
    /// 1-based column (in Unicode scalars) where the value starts.
    public var column: Int

    public init(_ storage: Storage, line: Int, column: Int = 1) {
        self.storage = storage
        self.line = line
        self.column = column
    }

    /// The string, if this is a string.
    public var string: String? {
        if case .string(let value) = storage { return value }
        return nil
    }

    /// The integer, if this is an integer.
    public var integer: Int64? {
        if case .integer(let value) = storage { return value }
        return nil
    }

    /// The number as a `Double`, if this is a float or an integer.
    public var number: Double? {
        switch storage {
        case .float(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    /// The boolean, if this is a boolean.
    public var boolean: Bool? {
        if case .boolean(let value) = storage { return value }
        return nil
    }

    /// The elements, if this is an array.
    public var array: [TOMLValue]? {
        if case .array(let value) = storage { return value }
        return nil
    }

    /// The table, if this is a table.
    public var table: TOMLTable? {
        if case .table(let value) = storage { return value }
        return nil
    }

    /// The kind of value with an article, for messages: "a string", "an integer", "a table", ...
    public var typeDescription: String {
        switch storage {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .boolean: "a boolean"
        case .array(let elements):
            elements.isEmpty || elements.contains { $0.table == nil } ? "an array" : "an array of tables"
        case .table: "a table"
        }
    }

    /// A compact TOML-like rendering, for debugging and tests.
    public var description: String {
        switch storage {
        case .string(let value): "\"\(value)\""
        case .integer(let value): "\(value)"
        case .float(let value): "\(value)"
        case .boolean(let value): "\(value)"
        case .array(let elements): "[" + elements.map(\.description).joined(separator: ", ") + "]"
        case .table(let table): table.description
        }
    }
}

/// A TOML table: keys in the order they were written, each with its line.
public struct TOMLTable: Sendable, CustomStringConvertible {
    /// One `key = value` (or sub-table) of a table.
    public struct Entry: Sendable {
        /// The key (one segment; dotted keys become nested tables).
        public var key: String
        /// 1-based line where the key was written (for a sub-table, where it was first named).
        public var line: Int
        /// 1-based column of the key.
        public var column: Int
        public var value: TOMLValue
    }

    /// The entries in the order their keys first appeared.
    public var entries: [Entry]
    /// 1-based line where the table was opened (header, inline table, or first dotted key).
    public var line: Int

    public init(entries: [Entry] = [], line: Int = 1) {
        self.entries = entries
        self.line = line
    }

    /// The value under `key`, if any.
    public subscript(key: String) -> TOMLValue? {
        entries.first { $0.key == key }?.value
    }

    /// The entry under `key`, if any (for the key's own line).
    public func entry(_ key: String) -> Entry? {
        entries.first { $0.key == key }
    }

    /// The keys in the order they were written.
    public var keys: [String] { entries.map(\.key) }

    public var description: String {
        "{" + entries.map { "\($0.key) = \($0.value)" }.joined(separator: ", ") + "}"
    }
}

/// A TOML document that could not be read: where and why.
public struct TOMLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file name given to the parser.
    public var file: String
    /// 1-based line of the problem.
    public var line: Int
    /// 1-based column (in Unicode scalars) of the problem.
    public var column: Int
    public var message: String

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line:column: message`.
    public var description: String { "\(file):\(line):\(column): \(message)" }
}
