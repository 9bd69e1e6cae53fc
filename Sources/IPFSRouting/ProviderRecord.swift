import Libp2p
import Multiformats

/// One provider of a CID, as a content router (delegated HTTP routing, a connected peer, ...)
/// reported it: the `peer` schema of the HTTP routing v1 API (`ID`, `Addrs`, `Protocols`).
///
/// Everything in it came from the network and is untrusted: the addresses were parsed (garbage
/// dropped), but who they point to is checked only when they are used (the network policy for
/// gateway URLs, the peer's key for libp2p dials), and every block fetched is hashed.
public struct ProviderRecord: Sendable, Hashable, CustomStringConvertible {
    /// The transfer protocol name of Bitswap over libp2p.
    public static let bitswapProtocol = "transport-bitswap"
    /// The transfer protocol name of a trustless HTTP gateway (how Filecoin storage providers serve).
    public static let gatewayProtocol = "transport-ipfs-gateway-http"

    /// The provider's peer ID.
    public var peer: PeerID
    /// Its addresses that parsed as multiaddrs (at most the parser's per-provider cap).
    public var addresses: [Multiaddr]
    /// The transfer protocols it offers; empty when the router did not say (then the caller may try
    /// Bitswap, as the spec suggests).
    public var protocols: [String]
    /// Where the record came from (the router's base URL, or `peer` for a connected peer).
    public var source: String
    /// Addresses the router sent that were dropped (not multiaddrs, or past the cap).
    public var droppedAddresses: Int

    /// Creates a record.
    public init(peer: PeerID, addresses: [Multiaddr], protocols: [String], source: String, droppedAddresses: Int = 0) {
        self.peer = peer
        self.addresses = addresses
        self.protocols = protocols
        self.source = source
        self.droppedAddresses = droppedAddresses
    }

    /// True when the provider says it speaks Bitswap, or says nothing about its protocols.
    public var mayOfferBitswap: Bool { protocols.isEmpty || protocols.contains(Self.bitswapProtocol) }
    /// True when the provider says it serves a trustless gateway.
    public var offersGateway: Bool { protocols.contains(Self.gatewayProtocol) }

    /// The addresses our libp2p host can dial (`/ip4|ip6|dns|dns4|dns6/…/tcp/PORT`, nothing after
    /// but an optional `/p2p/` of this peer), each ending in `/p2p/ID` so the dial checks the key.
    public var dialableAddresses: [Multiaddr] {
        addresses.compactMap { address in ProviderAddresses.libp2pDialAddress(address, peer: peer) }
    }

    /// The trustless gateway base URLs of the addresses (`…/tcp/PORT/http`, `…/tcp/PORT/tls/http`,
    /// `…/tcp/PORT/tls/sni/NAME/http`), when it offers the gateway protocol.
    public var gatewayURLs: [String] {
        guard offersGateway else { return [] }
        var seen = Set<String>()
        return addresses.compactMap(ProviderAddresses.gatewayURL).filter { seen.insert($0).inserted }
    }

    /// `ID via SOURCE [protocols] addresses`, one line.
    public var description: String {
        let protocolText = protocols.isEmpty ? "unknown protocols" : protocols.joined(separator: ",")
        let addressText = addresses.isEmpty ? "no addresses" : addresses.map(\.description).joined(separator: " ")
        return "\(peer) via \(source) [\(protocolText)] \(addressText)"
    }
}

/// Turns provider multiaddrs into things we can connect to.
public enum ProviderAddresses {
    /// `address` as a libp2p dial address ending in `/p2p/peer`, or nil when our host cannot dial it
    /// (QUIC, WebSockets, relays, a `/p2p/` naming another peer, ...).
    public static func libp2pDialAddress(_ address: Multiaddr, peer: PeerID) -> Multiaddr? {
        var components = address.components
        if case .p2p(let named) = components.last {
            guard named == peer.multihash else { return nil }
            components.removeLast()
        }
        guard components.count == 2, isHost(components[0]), case .tcp(let port) = components[1], port != 0 else { return nil }
        return Multiaddr(components: components + [.p2p(peer.multihash)])
    }

    /// The gateway base URL (`http://host:port` or `https://host:port`) an address names, or nil.
    public static func gatewayURL(_ address: Multiaddr) -> String? {
        var components = address.components
        if case .p2p = components.last { components.removeLast() }
        guard components.count >= 3, case .tcp(let port) = components[1], port != 0 else { return nil }
        let host: String
        switch components[0] {
        case .ip4(let value): host = value.description
        case .ip6(let value): host = "[\(value.description)]"
        case .dns(let name), .dns4(let name), .dns6(let name): host = name
        default: return nil
        }
        let rest = Array(components[2...])
        let scheme: String
        switch rest.count {
        case 1 where rest[0] == .http: scheme = "http"
        case 2 where rest[0] == .tls && rest[1] == .http: scheme = "https"
        case 3:
            guard rest[0] == .tls, case .sni = rest[1], rest[2] == .http else { return nil }
            scheme = "https"
        default: return nil
        }
        return "\(scheme)://\(host):\(port)"
    }

    private static func isHost(_ component: Multiaddr.Component) -> Bool {
        switch component {
        case .ip4, .ip6, .dns, .dns4, .dns6: true
        default: false
        }
    }
}
