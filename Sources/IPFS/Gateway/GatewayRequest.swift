import Foundation
import Multiformats

/// Which blocks a trustless-gateway CAR response carries below the path's end
/// (the `dag-scope` parameter of the IPFS trustless gateway spec).
public enum DAGScope: String, Sendable, Equatable {
    /// Only the block at the end of the path.
    case block
    /// The blocks needed to read that entity: a whole file (or the part in `entity-bytes`), or a
    /// directory's own node.
    case entity
    /// The whole DAG under the end of the path (the default).
    case all
}

/// The `entity-bytes=from:to` parameter: an inclusive byte range whose ends may count from the end
/// of the file (negative) and whose end may be open (`*`).
public struct EntityBytes: Sendable, Equatable {
    /// First byte; negative counts from the end.
    public var from: Int64
    /// Last byte (inclusive); negative counts from the end; nil means the end of the file.
    public var to: Int64?

    /// Creates a range.
    public init(from: Int64, to: Int64?) {
        self.from = from
        self.to = to
    }

    /// Parses "from:to" (e.g. "0:1023", "-100:*", "10:-1").
    /// - Throws: `.invalidOption` for anything else: numbers outside Int64, a missing end, or two
    ///   ends counted from the same side in the wrong order ("10:5", "-5:-10").
    public init(parsing text: some StringProtocol) throws(IPFSError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let from = Int64(parts[0]) else {
            throw .invalidOption("entity-bytes must be 'from:to', got '\(text.prefix(40))'")
        }
        if parts[1] == "*" {
            self.init(from: from, to: nil)
        } else if let to = Int64(parts[1]) {
            // Ends counted from the same side must be in order (RFC 9110 §14.1.2); ends counted
            // from opposite sides can only be checked against the file.
            guard (from < 0) != (to < 0) || from <= to else {
                throw .invalidOption("entity-bytes range \(from):\(to) ends before it starts")
            }
            self.init(from: from, to: to)
        } else {
            throw .invalidOption("entity-bytes end must be a number or '*', got '\(parts[1].prefix(40))'")
        }
    }

    /// The half-open range of a file of `size` bytes this selects (empty when nothing is selected).
    ///
    /// Defined for every pair of ends and every size (Int64.min, Int64.max, UInt64.max included):
    /// positions are clamped to `0...size` without any arithmetic that could overflow.
    public func resolved(fileSize size: UInt64) -> Range<UInt64> {
        let start: UInt64
        if from >= 0 {
            start = min(UInt64(from), size)
        } else {
            let back = from.magnitude  // exact even for Int64.min
            start = back >= size ? 0 : size - back
        }
        let end: UInt64  // one past the last byte
        switch to {
        case nil:
            end = size
        case let last? where last >= 0:
            end = UInt64(last) >= size ? size : UInt64(last) + 1
        case let last?:
            let back = last.magnitude  // >= 1, so the result is at most `size`
            end = back > size ? 0 : size - back + 1
        }
        return start ..< max(start, end)
    }

    /// The text form "from:to".
    public var text: String { "\(from):\(to.map(String.init) ?? "*")" }
}

/// A trustless gateway request: `GET /ipfs/{cid}[/path]` with `format=car|raw`, `dag-scope` and
/// `entity-bytes` (query parameters, or an `Accept` header naming the format).
public struct GatewayRequest: Sendable, Equatable {
    /// Response formats.
    public enum Format: String, Sendable, Equatable {
        /// A CARv1 of the blocks selected by path and scope (`application/vnd.ipld.car`).
        case car
        /// The single block at the end of the path (`application/vnd.ipld.raw`).
        case raw

        /// The media type for this format.
        public var mediaType: String { self == .car ? "application/vnd.ipld.car" : "application/vnd.ipld.raw" }
    }

    /// The CID in the URL.
    public var root: CID
    /// The path segments after the CID.
    public var path: [String]
    /// The response format.
    public var format: Format
    /// Which blocks under the path's end (CAR only).
    public var scope: DAGScope
    /// The byte range of a file (CAR with `dag-scope=entity` only).
    public var entityBytes: EntityBytes?

    /// Creates a request.
    public init(root: CID, path: [String] = [], format: Format = .car, scope: DAGScope = .all, entityBytes: EntityBytes? = nil) {
        self.root = root
        self.path = path
        self.format = format
        self.scope = scope
        self.entityBytes = entityBytes
    }

    /// Parses a request target such as `/ipfs/bafy…/a/b?format=car&dag-scope=entity&entity-bytes=0:99`.
    /// - Parameter accept: the `Accept` header, used when there is no `format` parameter.
    /// - Throws: `.invalidOption` for anything malformed, `.unsafeEntryName` for "." or ".." segments.
    public init(target: String, accept: String? = nil) throws(IPFSError) {
        let pieces = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let pathPart = pieces.first.map(String.init) ?? ""
        var segments = pathPart.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard segments.count >= 2, segments[0] == "ipfs" else {
            throw .invalidOption("request path must be /ipfs/{cid}[/path]")
        }
        let root: CID
        do {
            root = try CID(segments[1])
        } catch {
            throw .invalidOption("bad CID in path: \(error.description)")
        }
        segments.removeFirst(2)
        var path: [String] = []
        for segment in segments {
            guard let decoded = segment.removingPercentEncoding else {
                throw .invalidOption("bad percent-encoding in path")
            }
            try UnixFSEntryName.validate(decoded)
            path.append(decoded)
        }
        var parameters: [String: String] = [:]
        if pieces.count == 2 {
            for pair in pieces[1].split(separator: "&") {
                let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(keyValue[0])
                let value = keyValue.count == 2 ? String(keyValue[1]).removingPercentEncoding ?? "" : ""
                parameters[key] = value
            }
        }
        var format: Format?
        if let text = parameters["format"] {
            guard let parsed = Format(rawValue: text) else { throw .invalidOption("format must be car or raw") }
            format = parsed
        } else if let accept {
            if accept.contains("application/vnd.ipld.car") { format = .car }
            else if accept.contains("application/vnd.ipld.raw") { format = .raw }
        }
        guard let format else { throw .invalidOption("ask for format=car or format=raw (or an Accept header)") }
        var scope = DAGScope.all
        if let text = parameters["dag-scope"] {
            guard let parsed = DAGScope(rawValue: text) else { throw .invalidOption("dag-scope must be block, entity or all") }
            scope = parsed
        }
        var entityBytes: EntityBytes?
        if let text = parameters["entity-bytes"] {
            guard scope == .entity else { throw .invalidOption("entity-bytes needs dag-scope=entity") }
            entityBytes = try EntityBytes(parsing: text)
        }
        self.init(root: root, path: path, format: format, scope: scope, entityBytes: entityBytes)
    }

    /// The request target for this request (what a client puts after the gateway's base URL).
    public var target: String {
        var text = "/ipfs/\(root)"
        for segment in path {
            text += "/" + (segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? segment)
        }
        text += "?format=\(format.rawValue)"
        if format == .car {
            text += "&dag-scope=\(scope.rawValue)"
            if let entityBytes { text += "&entity-bytes=\(entityBytes.text)" }
        }
        return text
    }
}
