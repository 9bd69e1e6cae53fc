import Foundation
import Libp2p
import Multiformats

/// Caps on what one delegated router may make us read and keep.
public struct RoutingAnswerLimits: Sendable, Equatable {
    /// Most body bytes read from one router for one lookup. A JSON answer past it is refused; an
    /// NDJSON stream is cut there and the records read so far are kept.
    public var maxAnswerBytes: Int
    /// Most provider records kept from one answer; reading stops when reached.
    public var maxProviders: Int
    /// Longest NDJSON line (one record).
    public var maxLineBytes: Int
    /// Most addresses kept per provider (the rest are dropped and counted).
    public var maxAddressesPerProvider: Int
    /// Most protocol names kept per provider.
    public var maxProtocolsPerProvider: Int

    /// Creates limits (defaults: 1 MiB, 100 providers, 64 KiB lines, 16 addresses, 16 protocols).
    public init(maxAnswerBytes: Int = 1 << 20, maxProviders: Int = 100, maxLineBytes: Int = 64 << 10,
                maxAddressesPerProvider: Int = 16, maxProtocolsPerProvider: Int = 16) {
        self.maxAnswerBytes = maxAnswerBytes
        self.maxProviders = maxProviders
        self.maxLineBytes = maxLineBytes
        self.maxAddressesPerProvider = maxAddressesPerProvider
        self.maxProtocolsPerProvider = maxProtocolsPerProvider
    }
}

/// Why a delegated routing lookup failed.
public enum DelegatedRoutingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A router URL is not `http(s)://host[:port][/prefix]`.
    case invalidRouterURL(String)
    /// The router answered with a status other than 200 or 404.
    case badStatus(Int)
    /// The router answered 200 with a body that is neither `application/json` nor `application/x-ndjson`.
    case wrongContentType(String)
    /// A JSON answer larger than the cap.
    case answerTooLarge(limit: Int)
    /// An NDJSON line longer than the cap.
    case lineTooLong(limit: Int)
    /// The body is not the JSON the spec describes.
    case malformedAnswer(String)
    /// The router did not finish within the time limit.
    case timedOut(after: Duration)
    /// The connection failed or was refused by the network policy.
    case unreachable(String)

    /// A readable sentence.
    public var description: String {
        switch self {
        case .invalidRouterURL(let url): "invalid router URL '\(url.prefix(200))' (expected http(s)://host[:port])"
        case .badStatus(let status): "router answered HTTP \(status)"
        case .wrongContentType(let type): "router answered with content type '\(type.prefix(100))', not application/json or application/x-ndjson"
        case .answerTooLarge(let limit): "router's JSON answer is larger than \(limit) bytes"
        case .lineTooLong(let limit): "router sent an NDJSON line longer than \(limit) bytes"
        case .malformedAnswer(let reason): "router's answer is malformed: \(reason.prefix(200))"
        case .timedOut(let limit): "router did not answer within \(limit)"
        case .unreachable(let reason): "router unreachable: \(reason.prefix(300))"
        }
    }
}

/// Reads a `GET /routing/v1/providers/{cid}` answer incrementally, as bytes arrive: a JSON object
/// `{"Providers": [...]}` or NDJSON (one record per line), within ``RoutingAnswerLimits``.
///
/// Only `"Schema": "peer"` records are kept (the spec tells clients to skip unknown schemas); a
/// record whose `ID` is not a peer ID is skipped; addresses that are not multiaddrs are dropped.
/// Pure: no I/O, tested without sockets.
public struct RoutingAnswerParser: Sendable {
    /// The two answer encodings.
    public enum Format: Sendable, Equatable {
        /// `application/json`: one object, parsed when complete.
        case json
        /// `application/x-ndjson`: one record per line, each usable as soon as its line ends.
        case ndjson

        /// The format of a `Content-Type` header value, or nil for anything else.
        public init?(contentType: String) {
            let media = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
            switch media {
            case "application/json": self = .json
            case "application/x-ndjson": self = .ndjson
            default: return nil
            }
        }
    }

    /// The encoding being read.
    public let format: Format
    /// The caps.
    public let limits: RoutingAnswerLimits
    /// Written into each record's `source`.
    public let source: String
    /// Records skipped (unknown schema, bad ID, not an object).
    public private(set) var skippedRecords = 0
    /// Records kept so far.
    public private(set) var keptRecords = 0
    /// Bytes fed so far.
    public private(set) var bytesRead = 0
    /// Set when reading stopped before the end (the provider cap, or the byte cap of an NDJSON
    /// stream); the reason, for reports.
    public private(set) var stoppedEarly: String?
    private var pending: [UInt8] = []
    private var seen = Set<PeerID>()

    /// Creates a parser for one answer.
    public init(format: Format, limits: RoutingAnswerLimits = RoutingAnswerLimits(), source: String) {
        self.format = format
        self.limits = limits
        self.source = source
    }

    /// True when nothing more will be accepted: stop reading the body.
    public var isDone: Bool { stoppedEarly != nil }

    /// Feeds the next body bytes; returns the records completed by them (NDJSON only; a JSON answer
    /// yields its records from ``finish()``).
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(DelegatedRoutingError) -> [ProviderRecord] {
        guard !isDone else { return [] }
        var chunk = Array(bytes)
        let room = limits.maxAnswerBytes - bytesRead
        if chunk.count > room {
            guard format == .ndjson else { throw .answerTooLarge(limit: limits.maxAnswerBytes) }
            chunk.removeLast(chunk.count - room)
        }
        bytesRead += chunk.count
        switch format {
        case .json:
            pending += chunk
            return []
        case .ndjson:
            var records: [ProviderRecord] = []
            var start = 0
            for index in chunk.indices where chunk[index] == UInt8(ascii: "\n") {
                pending += chunk[start ..< index]
                start = index + 1
                let line = pending
                pending.removeAll(keepingCapacity: true)
                if let record = try parseLine(line) { records.append(record) }
                if isDone { return records }
            }
            pending += chunk[start...]
            if pending.count > limits.maxLineBytes { throw .lineTooLong(limit: limits.maxLineBytes) }
            if bytesRead >= limits.maxAnswerBytes {
                stoppedEarly = "stopped after \(limits.maxAnswerBytes) bytes"
            }
            return records
        }
    }

    /// Ends the answer: parses a JSON body, or a last NDJSON line without a newline.
    public mutating func finish() throws(DelegatedRoutingError) -> [ProviderRecord] {
        switch format {
        case .ndjson:
            guard !isDone, !pending.isEmpty else { return [] }
            let line = pending
            pending = []
            return try parseLine(line).map { [$0] } ?? []
        case .json:
            let body = pending
            pending = []
            guard !body.isEmpty else { throw .malformedAnswer("empty body") }
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: Data(body))
            } catch {
                throw .malformedAnswer("not JSON")
            }
            guard let top = object as? [String: Any] else { throw .malformedAnswer("the answer is not a JSON object") }
            guard let list = top["Providers"] else { return [] }
            if list is NSNull { return [] }
            guard let items = list as? [Any] else { throw .malformedAnswer("'Providers' is not an array") }
            var records: [ProviderRecord] = []
            for item in items {
                if let record = keep(item) { records.append(record) }
                if isDone { break }
            }
            return records
        }
    }

    private mutating func parseLine(_ line: [UInt8]) throws(DelegatedRoutingError) -> ProviderRecord? {
        if line.count > limits.maxLineBytes { throw .lineTooLong(limit: limits.maxLineBytes) }
        guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") }) else { return nil }
        guard let object = try? JSONSerialization.jsonObject(with: Data(line), options: .fragmentsAllowed) else {
            throw .malformedAnswer("an NDJSON line is not JSON")
        }
        return keep(object)
    }

    /// Validates one record; nil when skipped.
    private mutating func keep(_ item: Any) -> ProviderRecord? {
        guard let record = Self.record(item, limits: limits, source: source) else {
            skippedRecords += 1
            return nil
        }
        // One record per peer: a router repeating a peer cannot fill the cap with it.
        guard seen.insert(record.peer).inserted else {
            skippedRecords += 1
            return nil
        }
        keptRecords += 1
        if keptRecords >= limits.maxProviders { stoppedEarly = "stopped at \(limits.maxProviders) providers" }
        return record
    }

    /// A `peer` record from decoded JSON, or nil when it is not one.
    static func record(_ item: Any, limits: RoutingAnswerLimits, source: String) -> ProviderRecord? {
        guard let object = item as? [String: Any],
              (object["Schema"] as? String) == "peer",
              let idText = object["ID"] as? String,
              let peer = try? PeerID(idText)
        else { return nil }
        var addresses: [Multiaddr] = []
        var dropped = 0
        for value in (object["Addrs"] as? [Any]) ?? [] {
            guard addresses.count < limits.maxAddressesPerProvider,
                  let text = value as? String, text.utf8.count <= Multiaddr.maxStringLength,
                  let address = try? Multiaddr(text)
            else {
                dropped += 1
                continue
            }
            if !addresses.contains(address) { addresses.append(address) }
        }
        var protocols: [String] = []
        for value in (object["Protocols"] as? [Any]) ?? [] {
            guard protocols.count < limits.maxProtocolsPerProvider, let name = value as? String,
                  !name.isEmpty, name.utf8.count <= 64, name.allSatisfy({ $0.isASCII && !$0.isWhitespace })
            else { continue }
            if !protocols.contains(name) { protocols.append(name) }
        }
        return ProviderRecord(peer: peer, addresses: addresses, protocols: protocols, source: source, droppedAddresses: dropped)
    }
}
