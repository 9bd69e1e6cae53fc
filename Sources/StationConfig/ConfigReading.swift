import Foundation
import SandboxEngine
import Units

/// Problems collected while reading several files.
final class ProblemList {
    var problems: [ConfigProblem] = []

    func add(_ file: String, _ line: Int?, _ message: String, column: Int? = nil) {
        problems.append(ConfigProblem(file: file, line: line, column: column, message: message))
    }
}

/// A table being validated: typed getters that record a problem (with the line) instead of
/// throwing, so everything gets checked.
struct Section {
    let table: TOMLTable
    /// `[budget]`, `[[module]]`, or "" for the top level of a file.
    let name: String
    let file: String
    let problems: ProblemList

    /// `'key'` or `'key' in [table]`, for messages.
    func label(_ key: String) -> String {
        name.isEmpty ? "'\(key)'" : "'\(key)' in \(name)"
    }

    func problem(_ line: Int?, _ message: String) {
        problems.add(file, line, message)
    }

    /// Reports every key that is not in `known`, suggesting the nearest known one.
    func checkKeys(_ known: [String], tables: Set<String> = []) {
        for entry in table.entries where !known.contains(entry.key) {
            let isTable = entry.value.table != nil
            let what = isTable && name.isEmpty ? "table [\(entry.key)]" : "key '\(entry.key)'"
            var message = "unknown \(what)\(name.isEmpty ? "" : " in \(name)")"
            if let nearest = Suggestions.nearest(to: entry.key, in: known) {
                message += tables.contains(nearest) ? "; did you mean [\(nearest)]?" : "; did you mean '\(nearest)'?"
            } else {
                message += " (known: \(known.joined(separator: ", ")))"
            }
            problem(entry.line, message)
        }
    }

    func value(_ key: String) -> TOMLValue? { table[key] }

    func line(_ key: String) -> Int? { table.entry(key)?.line }

    func wrongType(_ key: String, _ value: TOMLValue, expected: String) {
        problem(value.line, "\(label(key)): expected \(expected), found \(value.typeDescription)")
    }

    func string(_ key: String, example: String) -> (text: String, value: TOMLValue)? {
        guard let value = table[key] else { return nil }
        guard let text = value.string else {
            wrongType(key, value, expected: "a string like \"\(example)\"")
            return nil
        }
        return (text, value)
    }

    func bool(_ key: String) -> Bool? {
        guard let value = table[key] else { return nil }
        guard let flag = value.boolean else {
            wrongType(key, value, expected: "true or false")
            return nil
        }
        return flag
    }

    func integer(_ key: String, example: String, range: ClosedRange<Int64>) -> Int64? {
        guard let value = table[key] else { return nil }
        guard let number = value.integer else {
            wrongType(key, value, expected: "an integer like \(example)")
            return nil
        }
        guard range.contains(number) else {
            problem(value.line, "\(label(key)): \(number) is out of range (\(describe(range)))")
            return nil
        }
        return number
    }

    /// An integer or a float, checked with `valid`.
    func number(_ key: String, example: String, rule: String, valid: (Double) -> Bool) -> Double? {
        guard let value = table[key] else { return nil }
        guard let number = value.number else {
            wrongType(key, value, expected: "a number like \(example)")
            return nil
        }
        guard number.isFinite, valid(number) else {
            problem(value.line, "\(label(key)): \(value) is out of range (\(rule))")
            return nil
        }
        return number
    }

    func size(_ key: String, example: String, allowZero: Bool = true) -> UInt64? {
        guard let (text, value) = string(key, example: example) else { return nil }
        do {
            let bytes = try Units.parseBytes(text)
            guard allowZero || bytes > 0 else {
                problem(value.line, "\(label(key)): must be more than zero")
                return nil
            }
            return bytes
        } catch {
            problem(value.line, "\(label(key)): \(error)")
            return nil
        }
    }

    func duration(_ key: String, example: String, allowZero: Bool = true) -> Duration? {
        guard let (text, value) = string(key, example: example) else { return nil }
        do {
            let duration = try Units.parseDuration(text)
            guard allowZero || duration > .zero else {
                problem(value.line, "\(label(key)): must be longer than zero")
                return nil
            }
            return duration
        } catch {
            problem(value.line, "\(label(key)): \(error)")
            return nil
        }
    }

    /// An array of strings; elements of the wrong type are reported one by one.
    func strings(_ key: String, example: String) -> [(text: String, value: TOMLValue)]? {
        guard let value = table[key] else { return nil }
        guard let elements = value.array else {
            wrongType(key, value, expected: "an array of strings like [\"\(example)\"]")
            return nil
        }
        var result: [(text: String, value: TOMLValue)] = []
        for element in elements {
            if let text = element.string {
                result.append((text, element))
            } else {
                problem(element.line, "\(label(key)): expected each element to be a string like \"\(example)\", found \(element.typeDescription)")
            }
        }
        return result
    }

    /// A sub-table, or nil (with a problem when the key holds something else).
    func section(_ key: String, named: String) -> Section? {
        guard let value = table[key] else { return nil }
        guard let sub = value.table else {
            wrongType(key, value, expected: "a table (write it as \(named))")
            return nil
        }
        return Section(table: sub, name: named, file: file, problems: problems)
    }

    private func describe(_ range: ClosedRange<Int64>) -> String {
        if range.upperBound == .max { return "at least \(range.lowerBound)" }
        return "\(range.lowerBound) to \(range.upperBound)"
    }
}

/// "Did you mean" for unknown keys.
enum Suggestions {
    /// The known word closest to `word` by edit distance, if it is close enough to be a likely typo.
    static func nearest(to word: String, in known: [String]) -> String? {
        let lowered = word.lowercased().replacingOccurrences(of: "_", with: "-")
        var best: (String, Int)?
        for candidate in known {
            let distance = editDistance(Array(lowered), Array(candidate))
            if best == nil || distance < best!.1 { best = (candidate, distance) }
        }
        guard let (candidate, distance) = best else { return nil }
        let allowed = max(2, candidate.count / 3)
        return distance <= allowed ? candidate : nil
    }

    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

/// Lexical path handling (no symlink resolution, so results do not depend on the disk).
enum Paths {
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(component)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// `path` made absolute against `base` (an absolute folder).
    static func absolute(_ path: String, base: String) -> String {
        path.hasPrefix("/") ? normalize(path) : normalize(base + "/" + path)
    }

    static func folder(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "." }
        return slash == file.startIndex ? "/" : String(file[..<slash])
    }

    static var currentDirectory: String { FileManager.default.currentDirectoryPath }
}

/// Reading files with messages a user can act on.
enum ConfigFiles {
    enum ReadError: Error {
        case problem(String)
    }

    /// The file's bytes, or why it cannot be read. Opens only regular files (a FIFO cannot block
    /// it) and never reads more than the TOML size cap.
    static func read(_ path: String) -> Result<[UInt8], ReadError> {
        let tooLarge = ReadError.problem("is larger than 1 MiB; configuration files must be smaller")
        do throws(RegularFile.Failure) {
            let file = try RegularFile(path: path, maximumSize: Int64(TOMLDocument.maximumBytes))
            let bytes = try file.read(atMost: TOMLDocument.maximumBytes + 1)
            return bytes.count > TOMLDocument.maximumBytes ? .failure(tooLarge) : .success(bytes)
        } catch {
            switch error {
            case .tooLarge: return .failure(tooLarge)
            case .notRegular("a directory"): return .failure(.problem("is a folder, not a file"))
            default: return .failure(.problem(error.isMissing ? "no such file" : error.description))
            }
        }
    }

    /// Reads and parses a TOML file, recording a problem on failure. `reference` is where a read
    /// failure is reported instead of the file itself (the line that names the file, and how to
    /// name the file there).
    static func document(_ path: String, problems: ProblemList, reference: (file: String, line: Int, what: String)? = nil) -> TOMLDocument? {
        switch read(path) {
        case .failure(.problem(let reason)):
            if let reference {
                problems.add(reference.file, reference.line, "\(reference.what): \(reason)")
            } else {
                problems.add(path, nil, reason)
            }
            return nil
        case .success(let bytes):
            do {
                return try TOMLDocument(bytes: bytes, file: path)
            } catch {
                problems.add(path, error.line, error.message, column: error.column)
                return nil
            }
        }
    }
}
