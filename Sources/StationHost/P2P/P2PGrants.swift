/// Which libp2p protocols a module may use, and which peers it may dial.
public struct P2PGrants: Sendable, Hashable {
    /// Allowed protocol ids: exact ids, or prefixes ending in `*` (`/station/echo/*`). Empty: none.
    public var protocols: [String]
    /// Whether dials to loopback and private addresses are allowed (tests, local clusters).
    public var allowPrivateAddresses: Bool

    public init(protocols: [String] = [], allowPrivateAddresses: Bool = false) {
        self.protocols = protocols
        self.allowPrivateAddresses = allowPrivateAddresses
    }

    /// No p2p access at all.
    public static let none = P2PGrants()

    /// Whether `protocolID` is granted.
    public func allows(_ protocolID: String) -> Bool {
        protocols.contains { pattern in
            if pattern.hasSuffix("*") { return protocolID.hasPrefix(pattern.dropLast()) }
            return pattern == protocolID
        }
    }

    /// Throws `denied` unless `protocolID` is granted and well-formed.
    public func check(_ protocolID: String) throws(StationError) {
        guard protocolID.hasPrefix("/"), protocolID.utf8.count <= 256,
              protocolID.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else {
            throw StationError(.invalidArgument, "'\(protocolID.prefix(80))' is not a protocol id (printable ASCII starting with '/', at most 256 bytes)")
        }
        guard allows(protocolID) else {
            throw StationError(.denied, "protocol \(protocolID) is not granted to this module (station run: --allow-p2p \(protocolID))")
        }
    }
}
