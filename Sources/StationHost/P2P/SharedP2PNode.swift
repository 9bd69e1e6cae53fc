import Libp2p
import Synchronization

/// The one libp2p node every module in the process shares, with the record of which module owns
/// which protocol id (two modules can never register the same one).
public final class SharedP2PNode: Sendable {
    /// The node.
    public let host: Libp2pHost
    private let owners = Mutex<[String: String]>([:])

    public init(host: Libp2pHost) {
        self.host = host
    }

    /// Routes inbound streams for `protocolID` to `handler`, on behalf of `module`.
    /// Fails with `denied` when another module (or the runtime itself) already handles the id.
    public func register(protocol protocolID: String, module: String, handler: @escaping Libp2pHost.StreamHandler) throws(StationError) {
        let taken: String? = owners.withLock { owners in
            if let owner = owners[protocolID] { return owner }
            if host.supportedProtocols.contains(protocolID) { return "the runtime" }
            owners[protocolID] = module
            return nil
        }
        if let taken {
            throw StationError(.denied, "protocol \(protocolID) is already handled by \(taken == module ? "this module" : taken)")
        }
        host.setStreamHandler(protocol: protocolID, handler: handler)
    }

    /// Stops routing `protocolID` if `module` owns it.
    public func unregister(protocol protocolID: String, module: String) {
        let owned = owners.withLock { owners in
            guard owners[protocolID] == module else { return false }
            owners[protocolID] = nil
            return true
        }
        if owned { host.removeStreamHandler(protocol: protocolID) }
    }

    /// The module that owns `protocolID`, if any.
    public func owner(of protocolID: String) -> String? { owners.withLock { $0[protocolID] } }
}
