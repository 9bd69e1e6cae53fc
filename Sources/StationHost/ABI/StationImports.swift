import Foundation
import Sandbox
import SandboxEngine

/// One function of the `station` import module, as `docs/abi.md` lists it.
///
/// ``StationImports/all`` is the one home of the ABI's shape: the binder takes each function's
/// WebAssembly type from it, `station inspect` and the daemon map imports to grants with it, the
/// daemon's meter finds the byte counts with it, and a test checks `docs/abi.md` (and through it
/// `sdk/c/station.h`) against it. Adding a host call means a row here, its body in the binder,
/// and a row in the docs.
public struct StationImport: Sendable, Hashable {
    /// The section of `docs/abi.md` the function is documented in.
    public enum Section: String, Sendable, CaseIterable {
        case core = "Core"
        case http = "HTTP"
        case streams = "Streams"
        case p2p = "Peer-to-peer"
        case ipfs = "IPFS content"
        case events = "Events"
        case keyValue = "Key-value store"
        case identity = "Identity"
    }

    /// What a module must be granted before calls to the function can succeed. Functions without a
    /// grant (core, events, identity) work for every module.
    public enum Grant: String, Sendable, CaseIterable, Comparable {
        case net, p2p, ipfs, kv

        /// In words, with how to give it on the command line and in a module manifest.
        public var explanation: String {
            switch self {
            case .net: "network access: station run --allow-net PATTERN; daemon: [grants] net = [PATTERN]"
            case .p2p: "peer-to-peer protocols: station run --allow-p2p PROTOCOL; daemon: [grants] p2p = [PROTOCOL]"
            case .ipfs: "IPFS content: station run --allow-ipfs; daemon: [grants] ipfs = true"
            case .kv: "a key-value store: station run --kv FILE; daemon: [grants] kv = true"
            }
        }

        /// The capability a module importing a function with this grant needs, as inspect shows it.
        public var capability: String {
            switch self {
            case .net: "HTTP (station ABI; needs \(explanation))"
            case .p2p: "peer-to-peer streams (station ABI; needs \(explanation))"
            case .ipfs: "IPFS content (station ABI; needs \(explanation))"
            case .kv: "key-value store (station ABI; needs \(explanation))"
            }
        }

        public static func < (lhs: Grant, rhs: Grant) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// Which of the call's numbers is a count of bytes that crossed the module's boundary.
    public enum ByteCount: Sendable, Hashable {
        /// A non-negative result is the number of bytes the module received.
        case resultReceived
        /// A non-negative result is the number of bytes the module sent.
        case resultSent
        /// On success, this parameter (by name) is the number of bytes the module sent.
        case parameterSent(String)
    }

    /// A parameter: its name in the docs and its WebAssembly type.
    public struct Parameter: Sendable, Hashable {
        public var name: String
        public var type: WasmValueType
    }

    public var name: String
    public var section: Section
    public var grant: Grant?
    public var parameters: [Parameter]
    public var byteCount: ByteCount?

    /// Every function returns one `i32`: a non-negative success value or a negative error code.
    public var signature: FunctionSignature { FunctionSignature(parameters: parameters.map(\.type), results: [.i32]) }

    /// The signature as `docs/abi.md` writes it, e.g. `(key, key_len, buf, len) -> i32`: `i32`
    /// parameters by name alone, others with `: type`.
    public var documentedSignature: String {
        let list = parameters.map { $0.type == .i32 ? $0.name : "\($0.name): \($0.type)" }
        return "(\(list.joined(separator: ", "))) -> i32"
    }

    /// `signature` is written in the docs' form; parameters are `i32` unless marked `: i64`.
    init(_ name: String, _ section: Section, _ grant: Grant?, _ signature: String, bytes: ByteCount? = nil) {
        self.name = name
        self.section = section
        self.grant = grant
        self.byteCount = bytes
        let inside = signature.drop { $0 != "(" }.dropFirst().prefix { $0 != ")" }
        self.parameters = inside.split(separator: ",").map { item in
            let parts = item.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
            return Parameter(name: parts[0], type: parts.count > 1 && parts[1] == "i64" ? .i64 : .i32)
        }
    }
}

/// The `station` import module, version 1: every function, in the order of `docs/abi.md`.
public enum StationImports {
    /// The import module name.
    public static let moduleName = "station"

    public static let all: [StationImport] = [
        .init("abi_version", .core, nil, "() -> i32"),
        .init("last_error", .core, nil, "(buf, len) -> i32"),
        .init("close", .core, nil, "(handle) -> i32"),
        .init("poll", .core, nil, "(handles, count, ready, timeout_ms: i64) -> i32"),
        .init("read", .core, nil, "(handle, buf, len) -> i32", bytes: .resultReceived),
        .init("http_request", .http, .net, "(method, method_len, url, url_len, headers, headers_len, body, body_len, timeout_ms: i64) -> i32", bytes: .parameterSent("body_len")),
        .init("http_status", .http, .net, "(handle) -> i32"),
        .init("http_headers", .http, .net, "(handle, buf, len) -> i32"),
        .init("http_request_options", .http, .net, "(method, method_len, url, url_len, headers, headers_len, body, body_len, timeout_ms: i64, options) -> i32", bytes: .parameterSent("body_len")),
        .init("http_url", .http, .net, "(handle, buf, len) -> i32"),
        .init("write", .streams, nil, "(handle, buf, len) -> i32", bytes: .resultSent),
        .init("close_write", .streams, nil, "(handle) -> i32"),
        .init("p2p_peer_id", .p2p, .p2p, "(buf, len) -> i32"),
        .init("p2p_dial", .p2p, .p2p, "(addr, addr_len, protocol, protocol_len, timeout_ms: i64) -> i32"),
        .init("p2p_listen", .p2p, .p2p, "(protocol, protocol_len) -> i32"),
        .init("p2p_accept", .p2p, .p2p, "(listener) -> i32"),
        .init("p2p_remote_peer", .p2p, .p2p, "(stream, buf, len) -> i32"),
        .init("ipfs_get", .ipfs, .ipfs, "(path, path_len, format, timeout_ms: i64) -> i32"),
        .init("ipfs_put", .ipfs, .ipfs, "(data, len, cid_buf, cid_len) -> i32"),
        .init("ipfs_pin", .ipfs, .ipfs, "(cid, cid_len) -> i32"),
        .init("ipfs_unpin", .ipfs, .ipfs, "(cid, cid_len) -> i32"),
        .init("activity", .events, nil, "(level, msg, msg_len) -> i32"),
        .init("job_completed", .events, nil, "() -> i32"),
        .init("kv_get", .keyValue, .kv, "(key, key_len, buf, len) -> i32"),
        .init("kv_put", .keyValue, .kv, "(key, key_len, value, value_len) -> i32"),
        .init("kv_delete", .keyValue, .kv, "(key, key_len) -> i32"),
        .init("kv_list", .keyValue, .kv, "(prefix, prefix_len, after, after_len, buf, len) -> i32"),
        .init("module_name", .identity, nil, "(buf, len) -> i32"),
        .init("station_id", .identity, nil, "(buf, len) -> i32"),
        .init("wallet_address", .identity, nil, "(buf, len) -> i32"),
    ]

    private static let byName: [String: StationImport] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    /// The function called `name`, or nil if ABI v1 has none.
    public static func named(_ name: String) -> StationImport? { byName[name] }

    /// The grants a module's imports need that it was not given, each with the imports needing it
    /// (sorted). Imports from other modules, and station functions needing no grant, are ignored.
    public static func missingGrants(imports: [ModuleInfo.Entry], granted: Set<StationImport.Grant>) -> [(grant: StationImport.Grant, imports: [String])] {
        var missing: [StationImport.Grant: [String]] = [:]
        for entry in imports where entry.module == moduleName {
            guard let grant = named(entry.name)?.grant, !granted.contains(grant) else { continue }
            missing[grant, default: []].append(entry.name)
        }
        return missing.keys.sorted().map { ($0, missing[$0] ?? []) }
    }
}

/// Lets `station inspect` describe station imports: which are provided, what each needs, and
/// which cannot link (an unknown name or a signature that differs from ABI v1).
public struct StationImportCatalog: ImportCatalog {
    public init() {}

    public func capability(module: String, name: String, signature: FunctionSignature?) -> String? {
        guard module == StationImports.moduleName else { return nil }
        guard let function = StationImports.named(name) else {
            return "unknown station functions (not in ABI v\(StationABI.version): the module will not load)"
        }
        if let signature, signature != function.signature {
            return "station functions with the wrong type (the module will not load; ABI v\(StationABI.version) has \(function.name)\(function.documentedSignature))"
        }
        return function.grant?.capability ?? "station core, events and identity (provided to every module)"
    }
}
