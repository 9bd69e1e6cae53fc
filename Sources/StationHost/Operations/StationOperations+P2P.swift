import Libp2p
import Multiformats
import NetworkAddresses

/// Peer-to-peer operations on the shared libp2p node: dial, listen, accept, and the peer ID.
extension StationOperations {
    func node() throws(StationError) -> SharedP2PNode {
        guard let node = p2pNode else {
            throw StationError(.unsupported, "this runtime has no libp2p node (station run: give --allow-p2p PROTOCOL)")
        }
        return node
    }

    /// Our peer ID (base58btc text).
    public func p2pPeerID() throws(StationError) -> String {
        try node().host.peerID.description
    }

    /// Dials `address` (a multiaddr, with `/p2p/<peer id>` to check the peer) and opens a stream on
    /// `protocolID`. Returns a stream handle at once; it becomes ready when open or failed.
    public func p2pDial(address text: String, protocol protocolID: String, timeout: Duration?) throws(StationError) -> Int32 {
        try configuration.p2p.check(protocolID)
        let node = try node()
        let address: Multiaddr
        do {
            address = try Multiaddr(text)
        } catch {
            throw StationError(.invalidArgument, "'\(text.prefix(200))' is not a multiaddr: \(error)")
        }
        guard address.tcpHostPort != nil else {
            throw StationError(.unsupported, "only /ip4, /ip6 and /dns TCP addresses can be dialled, not \(address)")
        }
        if !configuration.p2p.allowPrivateAddresses, let reason = P2PAddressCheck.localReason(address) {
            throw StationError(.denied, "\(address) is denied: \(reason); allow local peers explicitly (station run: --p2p-local)")
        }
        try handles.reserveCheck()
        let limit = timeout ?? .seconds(30)
        let checkNames = !configuration.p2p.allowPrivateAddresses
        let resource = P2PStreamResource.dialing(hub: hub) {
            try await withTimeLimit(limit, what: "dialling \(address)") {
                try await node.host.newStream(to: try await Self.pinned(address, checkNames: checkNames), protocol: protocolID)
            }
        }
        return try handles.insert(resource)
    }

    /// Replaces a `/dns…` host with a resolved public address (no rebinding to local addresses).
    static func pinned(_ address: Multiaddr, checkNames: Bool) async throws -> Multiaddr {
        guard checkNames, let (host, port) = address.tcpHostPort, IPv4Address(host) == nil, IPv6Address(host) == nil else { return address }
        let resolved = try await P2PAddressCheck.resolvePublic(host)
        let family = IPv4Address(resolved) != nil ? "ip4" : "ip6"
        let transport = try Multiaddr("/\(family)/\(resolved)/tcp/\(port)")
        guard let peer = address.peerID else { return transport }
        return transport.encapsulate(.p2p(peer))
    }

    /// Starts handling `protocolID`: inbound streams queue on the returned listener handle.
    public func p2pListen(protocol protocolID: String) throws(StationError) -> Int32 {
        try configuration.p2p.check(protocolID)
        let node = try node()
        try handles.reserveCheck()
        let module = moduleName
        let listener = P2PListenerResource(protocolID: protocolID, hub: hub) {
            node.unregister(protocol: protocolID, module: module)
        }
        try node.register(protocol: protocolID, module: module) { [weak listener] stream in
            guard let listener else {
                stream.reset()
                return
            }
            listener.enqueue(stream)
        }
        return try handles.insert(listener)
    }

    /// Takes the next inbound stream from a listener, or `would-block`.
    public func p2pAccept(listener handle: Int32) throws(StationError) -> Int32 {
        let listener = try handles.resource(handle, as: P2PListenerResource.self, expected: "a p2p listener")
        try handles.reserveCheck()
        let stream = try listener.accept()
        return try handles.insert(P2PStreamResource.accepted(stream, hub: hub))
    }

    /// The peer ID on the other end of a stream.
    public func p2pRemotePeer(stream handle: Int32) throws(StationError) -> String {
        let stream = try handles.resource(handle, as: P2PStreamResource.self, expected: "a p2p stream")
        guard let peer = stream.remotePeer else { throw .wouldBlock }
        return peer.description
    }

    /// Writes to a writable handle (see ``WritableResource/write(_:)``).
    public func write(handle: Int32, _ bytes: UnsafeRawBufferPointer) throws(StationError) -> Int {
        try handles.resource(handle, as: (any WritableResource).self, expected: "something writable").write(bytes)
    }

    /// Half-closes a writable handle.
    public func closeWrite(handle: Int32) throws(StationError) {
        try handles.resource(handle, as: (any WritableResource).self, expected: "something writable").closeWrite()
    }
}

/// Whether a dial address points at this machine or a private network (the same address classes
/// the HTTP network policy refuses).
enum P2PAddressCheck {
    static func localReason(_ address: Multiaddr) -> String? {
        guard let (host, _) = address.tcpHostPort else { return nil }
        return localReason(host: host)
    }

    static func localReason(host: String) -> String? {
        if let ip = IPAddress(strict: host) {
            let kind = ip.addressClass
            return kind == .publicInternet ? nil : "\(host) is \(kind.phrase)"
        }
        if HostAuthority.isLoopbackName(host) { return "\(host) names this machine" }
        return nil
    }

    /// Resolves a DNS name with the system resolver and returns the first public address.
    static func resolvePublic(_ host: String) async throws -> String {
        let addresses = try await SystemHostResolver().resolve(host)
        for address in addresses where address.addressClass == .publicInternet { return address.description }
        throw StationError(.denied, "\(host) resolves only to local or private addresses (\(addresses.map(\.description).joined(separator: ", ")))")
    }
}
