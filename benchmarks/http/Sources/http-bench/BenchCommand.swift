/// The parsed command line of `http-bench`.
enum BenchCommand: Equatable {
    /// `serve --port P [--body-bytes B]`: answer every GET with a fixed body until killed.
    case serve(port: Int, bodyBytes: Int)
    /// `native --url U -n COUNT -c CONCURRENCY [--connections K]`: the AsyncHTTPClient loop.
    case native(url: String, count: Int, concurrency: Int, connections: Int)

    /// The usage text printed for `--help` and after a usage error.
    static let usage = """
        usage: http-bench serve --port P [--body-bytes B]        (default body: 1024 bytes)
               http-bench native --url U [-n COUNT] [-c IN_FLIGHT] [--connections K]
                                                                (defaults: -n 10000 -c 64 --connections 16)
        """

    /// Parses the arguments after the program name.
    static func parse(_ arguments: [String]) throws(BenchUsageError) -> BenchCommand {
        guard let subcommand = arguments.first else { throw .missingSubcommand }
        var options = try OptionList(Array(arguments.dropFirst()))
        switch subcommand {
        case "serve":
            let port = try options.integer("--port", default: nil, range: 0...65_535)
            let bodyBytes = try options.integer("--body-bytes", default: 1024, range: 0...(64 << 20))
            try options.requireEmpty()
            return .serve(port: port, bodyBytes: bodyBytes)
        case "native":
            guard let url = options.take("--url") else { throw .missingOption("--url") }
            let count = try options.integer("-n", default: 10_000, range: 1...100_000_000)
            let concurrency = try options.integer("-c", default: 64, range: 1...100_000)
            let connections = try options.integer("--connections", default: 16, range: 1...10_000)
            try options.requireEmpty()
            return .native(url: url, count: count, concurrency: concurrency, connections: connections)
        default:
            throw .unknownSubcommand(subcommand)
        }
    }
}

/// A command line `http-bench` cannot run.
enum BenchUsageError: Error, CustomStringConvertible, Equatable {
    case missingSubcommand
    case unknownSubcommand(String)
    case missingOption(String)
    case missingValue(String)
    case badNumber(option: String, value: String)
    case unexpected(String)

    var description: String {
        switch self {
        case .missingSubcommand: "missing subcommand: serve or native"
        case .unknownSubcommand(let name): "unknown subcommand '\(name)': use serve or native"
        case .missingOption(let name): "missing required option \(name)"
        case .missingValue(let name): "option \(name) needs a value"
        case .badNumber(let option, let value): "option \(option): '\(value)' is not a number in the allowed range"
        case .unexpected(let argument): "unexpected argument '\(argument)'"
        }
    }
}

/// `--name value` pairs, consumed one by one so leftovers can be reported.
struct OptionList {
    private var values: [String: String] = [:]
    private var order: [String] = []

    init(_ arguments: [String]) throws(BenchUsageError) {
        var index = 0
        while index < arguments.count {
            let name = arguments[index]
            guard name.hasPrefix("-") else { throw .unexpected(name) }
            guard index + 1 < arguments.count else { throw .missingValue(name) }
            values[name] = arguments[index + 1]
            order.append(name)
            index += 2
        }
    }

    /// Removes and returns the value of `name`, if given.
    mutating func take(_ name: String) -> String? {
        values.removeValue(forKey: name)
    }

    /// Removes and returns `name` as an integer in `range`; `default` when absent (nil: required).
    mutating func integer(_ name: String, default fallback: Int?, range: ClosedRange<Int>) throws(BenchUsageError) -> Int {
        guard let text = take(name) else {
            guard let fallback else { throw .missingOption(name) }
            return fallback
        }
        guard let value = Int(text), range.contains(value) else { throw .badNumber(option: name, value: text) }
        return value
    }

    /// Fails on the first option nobody took.
    func requireEmpty() throws(BenchUsageError) {
        if let leftover = order.first(where: { values[$0] != nil }) { throw .unexpected(leftover) }
    }
}
