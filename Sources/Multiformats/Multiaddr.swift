/// A self-describing network address (github.com/multiformats/multiaddr), such as
/// `/ip4/127.0.0.1/tcp/4001/p2p/12D3KooW…`: a sequence of protocol components.
public struct Multiaddr: Hashable, Sendable, CustomStringConvertible {
    /// The longest text or binary multiaddr accepted, which bounds work on hostile input.
    /// Real addresses, even relay chains, stay far below it.
    public static let maxStringLength = 2048

    /// The components, outermost first.
    public let components: [Component]

    /// Wraps a list of components.
    public init(components: [Component]) {
        self.components = components
    }

    /// Parses text such as "/ip4/1.2.3.4/tcp/80". A trailing "/" is allowed.
    /// - Throws: `MultiformatsError.multiaddrBadSyntax`, `.multiaddrUnknownProtocol` or `.multiaddrBadValue`.
    public init(_ string: some StringProtocol) throws(MultiformatsError) {
        let text = String(string)
        guard text.utf8.count <= Self.maxStringLength, text.hasPrefix("/") else { throw .multiaddrBadSyntax(String(text.prefix(120))) }
        var parts = text.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if parts.last == "" { parts = parts.dropLast() }
        guard !parts.isEmpty else { throw .multiaddrBadSyntax(text) }
        var components: [Component] = []
        var iterator = parts.makeIterator()
        while let name = iterator.next() {
            guard !name.isEmpty else { throw .multiaddrBadSyntax(text) }
            guard let proto = MultiaddrProtocol(name: name) else { throw .multiaddrUnknownProtocol(String(name)) }
            var value: String?
            if proto.valueSize != .none {
                guard let next = iterator.next() else {
                    throw .multiaddrBadValue(protocolName: proto.name, value: "")
                }
                value = String(next)
            }
            components.append(try Component(protocol: proto, textValue: value))
        }
        self.components = components
    }

    /// Decodes the binary form (code varint, then each value) that must span all of `bytes`.
    /// - Throws: `MultiformatsError.multiaddrTruncated`, `.multiaddrUnknownProtocol` or `.multiaddrBadValue`.
    public init(bytes: some Collection<UInt8>) throws(MultiformatsError) {
        let input = Array(bytes)
        guard !input.isEmpty, input.count <= Self.maxStringLength else { throw .multiaddrBadSyntax(Base16.encode(input.prefix(40))) }
        var position = 0
        var components: [Component] = []
        while position < input.count {
            let code = try Self.readVarint(input[position...])
            position += code.length
            guard let proto = MultiaddrProtocol(rawValue: code.value) else {
                throw .multiaddrUnknownProtocol("code 0x" + String(code.value, radix: 16))
            }
            let valueLength: Int
            switch proto.valueSize {
            case .none:
                valueLength = 0
            case .fixed(let size):
                valueLength = size
            case .variable:
                let length = try Self.readVarint(input[position...])
                position += length.length
                guard length.value <= UInt64(input.count - position) else { throw .multiaddrTruncated }
                valueLength = Int(length.value)
            }
            guard valueLength <= input.count - position else { throw .multiaddrTruncated }
            let value = Array(input[position ..< position + valueLength])
            position += valueLength
            components.append(try Component(protocol: proto, valueBytes: value))
        }
        self.components = components
    }

    /// The binary form.
    public var bytes: [UInt8] {
        var buffer: [UInt8] = []
        for component in components { component.encode(into: &buffer) }
        return buffer
    }

    /// The text form, e.g. "/ip4/127.0.0.1/tcp/4001".
    public var description: String {
        components.map(\.description).joined()
    }

    // MARK: Composition

    /// This address with `other` appended, e.g. `/ip4/…/tcp/1` + `/p2p/Qm…`.
    public func encapsulate(_ other: Multiaddr) -> Multiaddr {
        Multiaddr(components: components + other.components)
    }

    /// This address with one more component appended.
    public func encapsulate(_ component: Component) -> Multiaddr {
        Multiaddr(components: components + [component])
    }

    /// This address cut before the last occurrence of `other`'s components (and everything after).
    /// Returns the address unchanged when `other` does not occur in it, like go-multiaddr.
    public func decapsulate(_ other: Multiaddr) -> Multiaddr {
        let needle = other.components
        guard !needle.isEmpty, needle.count <= components.count else { return self }
        for start in stride(from: components.count - needle.count, through: 0, by: -1)
        where Array(components[start ..< start + needle.count]) == needle {
            return Multiaddr(components: Array(components[..<start]))
        }
        return self
    }

    /// This address cut before the last component of protocol `proto` (and everything after).
    /// Returns the address unchanged when the protocol does not occur in it.
    public func decapsulate(_ proto: MultiaddrProtocol) -> Multiaddr {
        guard let index = components.lastIndex(where: { $0.protocol == proto }) else { return self }
        return Multiaddr(components: Array(components[..<index]))
    }

    // MARK: Helpers for dialling

    /// `/ip4/HOST/tcp/PORT`, `/ip6/HOST/tcp/PORT` or `/dns/HOST/tcp/PORT`, chosen by the form of `host`
    /// (an IPv6 host may be written with or without brackets).
    /// - Throws: `MultiformatsError.multiaddrBadValue` for an empty host or one containing "/".
    public static func tcp(host: String, port: UInt16) throws(MultiformatsError) -> Multiaddr {
        Multiaddr(components: [try hostComponent(host), .tcp(port)])
    }

    /// Like `tcp(host:port:)` with `/udp`.
    public static func udp(host: String, port: UInt16) throws(MultiformatsError) -> Multiaddr {
        Multiaddr(components: [try hostComponent(host), .udp(port)])
    }

    private static func hostComponent(_ host: String) throws(MultiformatsError) -> Component {
        if let address = IPv4Address(host) { return .ip4(address) }
        var unbracketed = Substring(host)
        if unbracketed.hasPrefix("["), unbracketed.hasSuffix("]"), unbracketed.count >= 2 {
            unbracketed = unbracketed.dropFirst().dropLast()
        }
        if let address = IPv6Address(unbracketed) { return .ip6(address) }
        return try Component(protocol: .dns, valueBytes: Array(host.utf8))
    }

    /// The peer ID multihash of the last `/p2p` component, if any.
    public var peerID: Multihash? {
        for component in components.reversed() {
            if case .p2p(let peer) = component { return peer }
        }
        return nil
    }

    /// This address without a trailing `/p2p/…` component (the transport part).
    public var withoutPeerID: Multiaddr {
        guard case .p2p = components.last else { return self }
        return Multiaddr(components: Array(components.dropLast()))
    }

    /// Host and port for a TCP dial when the address starts with `/ip4`, `/ip6`, `/dns`,
    /// `/dns4` or `/dns6` followed by `/tcp` (later components such as `/ws` or `/p2p` are ignored).
    public var tcpHostPort: (host: String, port: UInt16)? {
        hostPort(transport: .tcp)
    }

    /// Host and port for a UDP (e.g. QUIC) dial, like `tcpHostPort`.
    public var udpHostPort: (host: String, port: UInt16)? {
        hostPort(transport: .udp)
    }

    private func hostPort(transport: MultiaddrProtocol) -> (host: String, port: UInt16)? {
        guard components.count >= 2 else { return nil }
        let host: String
        switch components[0] {
        case .ip4(let address): host = address.description
        case .ip6(let address): host = address.description
        case .dns(let name), .dns4(let name), .dns6(let name): host = name
        default: return nil
        }
        switch (transport, components[1]) {
        case (.tcp, .tcp(let port)), (.udp, .udp(let port)): return (host, port)
        default: return nil
        }
    }

    private static func readVarint(_ bytes: ArraySlice<UInt8>) throws(MultiformatsError) -> (value: UInt64, length: Int) {
        do throws(MultiformatsError) {
            return try Varint.decode(bytes)
        } catch .varintTruncated {
            throw .multiaddrTruncated
        }
    }
}
