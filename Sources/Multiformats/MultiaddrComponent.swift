extension Multiaddr {
    /// One protocol and its value in a multiaddr, e.g. `/tcp/4001`.
    public enum Component: Hashable, Sendable, CustomStringConvertible {
        case ip4(IPv4Address)
        case ip6(IPv6Address)
        /// An IPv6 zone (interface) name, placed before the `/ip6` it applies to.
        case ip6zone(String)
        case tcp(UInt16)
        case udp(UInt16)
        /// A DNS name resolved to any address family.
        case dns(String)
        /// A DNS name resolved to IPv4 only.
        case dns4(String)
        /// A DNS name resolved to IPv6 only.
        case dns6(String)
        /// A DNS name whose TXT `_dnsaddr` records list further multiaddrs.
        case dnsaddr(String)
        /// A peer ID multihash (text: base58btc; "ipfs" and CID forms accepted on input).
        case p2p(Multihash)
        case p2pCircuit
        case tls
        /// TLS server name indication.
        case sni(String)
        case noise
        case quic
        case quicV1
        case webtransport
        /// A certificate hash (text: multibase, written as base64url).
        case certhash(Multihash)
        case ws
        case wss
        case http

        /// The protocol of this component.
        public var `protocol`: MultiaddrProtocol {
            switch self {
            case .ip4: return .ip4
            case .ip6: return .ip6
            case .ip6zone: return .ip6zone
            case .tcp: return .tcp
            case .udp: return .udp
            case .dns: return .dns
            case .dns4: return .dns4
            case .dns6: return .dns6
            case .dnsaddr: return .dnsaddr
            case .p2p: return .p2p
            case .p2pCircuit: return .p2pCircuit
            case .tls: return .tls
            case .sni: return .sni
            case .noise: return .noise
            case .quic: return .quic
            case .quicV1: return .quicV1
            case .webtransport: return .webtransport
            case .certhash: return .certhash
            case .ws: return .ws
            case .wss: return .wss
            case .http: return .http
            }
        }

        /// The value as text, or nil for protocols without a value.
        public var textValue: String? {
            switch self {
            case .ip4(let address): return address.description
            case .ip6(let address): return address.description
            case .tcp(let port), .udp(let port): return String(port)
            case .ip6zone(let name), .dns(let name), .dns4(let name), .dns6(let name), .dnsaddr(let name), .sni(let name):
                return name
            case .p2p(let peer): return Base58.encode(peer.bytes)
            case .certhash(let hash): return Multibase.encode(hash.bytes, as: .base64URL)
            case .p2pCircuit, .tls, .noise, .quic, .quicV1, .webtransport, .ws, .wss, .http:
                return nil
            }
        }

        /// The value as stored in binary (without any length prefix).
        public var valueBytes: [UInt8] {
            switch self {
            case .ip4(let address): return address.bytes
            case .ip6(let address): return address.bytes
            case .tcp(let port), .udp(let port): return [UInt8(port >> 8), UInt8(port & 0xFF)]
            case .ip6zone(let name), .dns(let name), .dns4(let name), .dns6(let name), .dnsaddr(let name), .sni(let name):
                return Array(name.utf8)
            case .p2p(let hash), .certhash(let hash): return hash.bytes
            case .p2pCircuit, .tls, .noise, .quic, .quicV1, .webtransport, .ws, .wss, .http:
                return []
            }
        }

        /// The text form, e.g. "/tcp/4001" or "/ws".
        public var description: String {
            if let value = textValue { return "/\(self.protocol.name)/\(value)" }
            return "/\(self.protocol.name)"
        }

        /// Appends the binary form: code varint, then the value (length-prefixed if variable).
        func encode(into buffer: inout [UInt8]) {
            Varint.encode(self.protocol.rawValue, into: &buffer)
            let value = valueBytes
            if self.protocol.valueSize == .variable {
                Varint.encode(UInt64(value.count), into: &buffer)
            }
            buffer.append(contentsOf: value)
        }

        /// Builds a component from a protocol and its text value (nil for protocols without one).
        public init(protocol proto: MultiaddrProtocol, textValue: String?) throws(MultiformatsError) {
            let bad = MultiformatsError.multiaddrBadValue(protocolName: proto.name, value: textValue ?? "")
            if proto.valueSize == .none {
                guard textValue == nil else { throw bad }
                self = try Self(protocol: proto, valueBytes: [])
                return
            }
            guard let text = textValue, !text.isEmpty else { throw bad }
            switch proto {
            case .ip4:
                guard let address = IPv4Address(text) else { throw bad }
                self = .ip4(address)
            case .ip6:
                guard let address = IPv6Address(text) else { throw bad }
                self = .ip6(address)
            case .tcp, .udp:
                let digits = Array(text.utf8)
                guard digits.count <= 5, digits.allSatisfy({ (UInt8(ascii: "0") ... UInt8(ascii: "9")).contains($0) }),
                      let port = UInt16(text)
                else { throw bad }
                self = proto == .tcp ? .tcp(port) : .udp(port)
            case .p2p:
                self = .p2p(try Self.parsePeerID(text, bad: bad))
            case .certhash:
                guard let decoded = try? Multibase.decode(text), let hash = try? Multihash(bytes: decoded.bytes) else {
                    throw bad
                }
                self = .certhash(hash)
            default:
                self = try Self(protocol: proto, valueBytes: Array(text.utf8))
            }
        }

        /// Builds a component from a protocol and its binary value.
        public init(protocol proto: MultiaddrProtocol, valueBytes: [UInt8]) throws(MultiformatsError) {
            let bad = MultiformatsError.multiaddrBadValue(protocolName: proto.name, value: Base16.encode(valueBytes.prefix(40)))
            switch proto {
            case .ip4:
                guard let address = IPv4Address(bytes: valueBytes) else { throw bad }
                self = .ip4(address)
            case .ip6:
                guard let address = IPv6Address(bytes: valueBytes) else { throw bad }
                self = .ip6(address)
            case .tcp, .udp:
                guard valueBytes.count == 2 else { throw bad }
                let port = UInt16(valueBytes[0]) << 8 | UInt16(valueBytes[1])
                self = proto == .tcp ? .tcp(port) : .udp(port)
            case .ip6zone, .dns, .dns4, .dns6, .dnsaddr, .sni:
                // Names must survive the text form: non-empty UTF-8 without "/".
                guard !valueBytes.isEmpty, !valueBytes.contains(UInt8(ascii: "/")),
                      let name = String(validating: valueBytes, as: UTF8.self)
                else { throw bad }
                switch proto {
                case .ip6zone: self = .ip6zone(name)
                case .dns: self = .dns(name)
                case .dns4: self = .dns4(name)
                case .dns6: self = .dns6(name)
                case .dnsaddr: self = .dnsaddr(name)
                default: self = .sni(name)
                }
            case .p2p, .certhash:
                guard let hash = try? Multihash(bytes: valueBytes) else { throw bad }
                self = proto == .p2p ? .p2p(hash) : .certhash(hash)
            case .p2pCircuit, .tls, .noise, .quic, .quicV1, .webtransport, .ws, .wss, .http:
                guard valueBytes.isEmpty else { throw bad }
                self = Self.valueless(proto)
            }
        }

        private static func valueless(_ proto: MultiaddrProtocol) -> Component {
            switch proto {
            case .p2pCircuit: return .p2pCircuit
            case .tls: return .tls
            case .noise: return .noise
            case .quic: return .quic
            case .quicV1: return .quicV1
            case .webtransport: return .webtransport
            case .ws: return .ws
            case .wss: return .wss
            default: return .http
            }
        }

        /// A peer ID in text: a base58btc multihash ("Qm…", "12D3Koo…", "1…"), or a CIDv1 with
        /// the libp2p-key codec in any multibase (peer-ID spec).
        private static func parsePeerID(_ text: String, bad: MultiformatsError) throws(MultiformatsError) -> Multihash {
            guard text.utf8.count <= Multiaddr.maxStringLength else { throw bad }
            if text.hasPrefix("Qm") || text.hasPrefix("1") {
                guard let bytes = try? Base58.decode(text), let hash = try? Multihash(bytes: bytes) else { throw bad }
                return hash
            }
            guard let cid = try? CID(text), cid.codec == Multicodec.libp2pKey.rawValue else { throw bad }
            return cid.multihash
        }
    }
}
