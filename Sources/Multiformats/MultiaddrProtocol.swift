/// The multiaddr protocols this implementation supports, with their codes from the
/// multiaddr protocol table (github.com/multiformats/multiaddr, protocols.csv).
public enum MultiaddrProtocol: UInt64, CaseIterable, Sendable {
    case ip4 = 4
    case tcp = 6
    case ip6 = 41
    case ip6zone = 42
    case dns = 53
    case dns4 = 54
    case dns6 = 55
    case dnsaddr = 56
    case udp = 273
    case p2pCircuit = 290
    case p2p = 421
    case tls = 448
    case sni = 449
    case noise = 454
    case quic = 460
    case quicV1 = 461
    case webtransport = 465
    case certhash = 466
    case ws = 477
    case wss = 478
    case http = 480

    /// How a protocol's value is stored in the binary form.
    public enum ValueSize: Sendable, Equatable {
        /// No value (e.g. `/ws`).
        case none
        /// A fixed number of bytes (e.g. 4 for `/ip4`, 2 for `/tcp`).
        case fixed(Int)
        /// A varint length followed by that many bytes (e.g. `/dns4`, `/p2p`).
        case variable
    }

    /// The protocol's name in text multiaddrs.
    public var name: String {
        switch self {
        case .ip4: return "ip4"
        case .tcp: return "tcp"
        case .ip6: return "ip6"
        case .ip6zone: return "ip6zone"
        case .dns: return "dns"
        case .dns4: return "dns4"
        case .dns6: return "dns6"
        case .dnsaddr: return "dnsaddr"
        case .udp: return "udp"
        case .p2pCircuit: return "p2p-circuit"
        case .p2p: return "p2p"
        case .tls: return "tls"
        case .sni: return "sni"
        case .noise: return "noise"
        case .quic: return "quic"
        case .quicV1: return "quic-v1"
        case .webtransport: return "webtransport"
        case .certhash: return "certhash"
        case .ws: return "ws"
        case .wss: return "wss"
        case .http: return "http"
        }
    }

    /// How the value is stored in binary.
    public var valueSize: ValueSize {
        switch self {
        case .ip4: return .fixed(4)
        case .ip6: return .fixed(16)
        case .tcp, .udp: return .fixed(2)
        case .ip6zone, .dns, .dns4, .dns6, .dnsaddr, .p2p, .sni, .certhash: return .variable
        case .p2pCircuit, .tls, .noise, .quic, .quicV1, .webtransport, .ws, .wss, .http: return .none
        }
    }

    /// Looks a protocol up by its text name; the legacy name "ipfs" means `p2p`.
    public init?(name: some StringProtocol) {
        if name == "ipfs" {
            self = .p2p
            return
        }
        guard let found = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = found
    }
}
