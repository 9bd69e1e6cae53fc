/// One thing wrong with a configuration file.
public struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    /// The file the problem is in (absolute when it came from ``ConfigLoader``).
    public var file: String
    /// 1-based line, when the problem has a place (nil for "file not found" and the like).
    public var line: Int?
    /// 1-based column, when known (TOML syntax errors).
    public var column: Int?
    public var message: String

    public init(file: String, line: Int?, column: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `file:line: message`, `file:line:column: message` or `file: message`.
    public var description: String {
        switch (line, column) {
        case (let line?, let column?): "\(file):\(line):\(column): \(message)"
        case (let line?, nil): "\(file):\(line): \(message)"
        default: "\(file): \(message)"
        }
    }
}

/// Everything wrong with a configuration, found in one pass.
///
/// ``ConfigLoader`` validates every file completely before throwing, so a user sees all the
/// problems at once. They are sorted by file, then line, then column; `description` prints one
/// per line.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]

    public init(problems: [ConfigProblem]) {
        self.problems = ConfigErrors.sorted(problems)
    }

    /// One problem per line, in order.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }

    static func sorted(_ problems: [ConfigProblem]) -> [ConfigProblem] {
        problems.enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            if x.file != y.file { return x.file < y.file }
            if x.line != y.line { return (x.line ?? 0) < (y.line ?? 0) }
            if x.column != y.column { return (x.column ?? 0) < (y.column ?? 0) }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// Checks of values whose syntax belongs to other layers (network patterns, multiaddrs, CIDs,
/// gateway URLs, module files). The daemon supplies them; `StationConfig` does not depend on the networking
/// targets. Each returns an error message for a bad value, or nil when the value is fine. A check
/// left nil is skipped (only basic shape checks are made).
public struct FieldChecks: Sendable {
    /// One check: the value as written in, an error message (or nil) out.
    public typealias Check = @Sendable (String) -> String?

    /// A `[grants] net` allow-list pattern (docs/network-policy.md).
    public var networkPattern: Check?
    /// A multiaddr from `[p2p] listen` or `[p2p] peers`.
    public var multiaddr: Check?
    /// A module's `cid`.
    public var cid: Check?
    /// An `[ipfs] gateways` URL.
    public var gatewayURL: Check?
    /// A manifest's `wasm` file, given as the resolved absolute path. Called only once the loader's
    /// own checks pass (a `.wasm` or `.wat` name, an existing readable file), so it can apply the
    /// module loader's rules (a regular file, not too large). Its message is reported on the
    /// `wasm` line as `'wasm': 'path' (absolute path): message`.
    public var moduleFile: Check?

    public init(networkPattern: Check? = nil, multiaddr: Check? = nil, cid: Check? = nil, gatewayURL: Check? = nil, moduleFile: Check? = nil) {
        self.networkPattern = networkPattern
        self.multiaddr = multiaddr
        self.cid = cid
        self.gatewayURL = gatewayURL
        self.moduleFile = moduleFile
    }
}
