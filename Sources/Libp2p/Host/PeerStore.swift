import Multiformats
import Synchronization

/// What the host knows about other peers: addresses, protocols and details learnt from identify.
public final class PeerStore: Sendable {
    /// The details kept per peer.
    public struct Record: Sendable, Equatable {
        /// Known addresses (without the /p2p suffix).
        public var addresses: [Multiaddr] = []
        /// Protocols the peer said it supports.
        public var protocols: [String] = []
        /// The peer's public key, once known.
        public var publicKey: PublicKey?
        /// The agent version from identify.
        public var agentVersion: String?
        /// The protocol version from identify.
        public var protocolVersion: String?
        /// The address the peer observed for us.
        public var observedAddress: Multiaddr?
    }

    /// The most addresses remembered per peer.
    public static let maxAddressesPerPeer = 32
    /// The most protocols remembered per peer.
    public static let maxProtocolsPerPeer = 256

    private let records = Mutex<[PeerID: Record]>([:])

    /// Creates an empty store.
    public init() {}

    /// The record of `peer`, if any.
    public func record(for peer: PeerID) -> Record? {
        records.withLock { $0[peer] }
    }

    /// The peers the store knows.
    public var peers: [PeerID] { records.withLock { Array($0.keys) } }

    /// Adds addresses for `peer` (deduplicated, capped).
    public func addAddresses(_ addresses: [Multiaddr], for peer: PeerID) {
        records.withLock { all in
            var record = all[peer] ?? Record()
            for address in addresses where !record.addresses.contains(address) && record.addresses.count < Self.maxAddressesPerPeer {
                record.addresses.append(address)
            }
            all[peer] = record
        }
    }

    /// Replaces the protocol list of `peer`.
    public func setProtocols(_ protocols: [String], for peer: PeerID) {
        records.withLock { all in
            var record = all[peer] ?? Record()
            record.protocols = Array(protocols.prefix(Self.maxProtocolsPerPeer))
            all[peer] = record
        }
    }

    /// Applies a change to the record of `peer`.
    public func update(_ peer: PeerID, _ change: (inout Record) -> Void) {
        records.withLock { all in
            var record = all[peer] ?? Record()
            change(&record)
            all[peer] = record
        }
    }
}
