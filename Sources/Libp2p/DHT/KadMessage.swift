import Multiformats

/// A Kademlia DHT message (`/ipfs/kad/1.0.0`, go-libp2p-kad-dht `dht.proto`):
/// `type = 1, key = 2, record = 3, closerPeers = 8, providerPeers = 9, clusterLevelRaw = 10`;
/// `Peer { id = 1, addrs = 2 (repeated), connection = 3 }`; `Record { key = 1, value = 2, timeReceived = 5 }`.
///
/// Decoding is bounded: a message is at most ``maxLength`` bytes (checked from its length
/// prefix, before it is read), at most ``maxPeers`` closer and provider peers are kept, at most
/// ``maxAddressesPerPeer`` addresses each; peers whose ID is not a peer ID and addresses that are
/// not multiaddrs are dropped.
public struct KadMessage: Sendable, Equatable {
    /// The largest message accepted (go-libp2p-kad-dht's limit is 4 MiB; answers are a few KiB).
    public static let maxLength = 1 << 20
    /// Most closer peers and most provider peers kept from one message.
    public static let maxPeers = 64
    /// Most addresses kept per peer.
    public static let maxAddressesPerPeer = 16

    /// The message types.
    public enum MessageType: UInt64, Sendable, Equatable {
        case putValue = 0, getValue = 1, addProvider = 2, getProviders = 3, findNode = 4, ping = 5
    }

    /// How the sender sees its connection to a peer.
    public enum Connection: UInt64, Sendable, Equatable {
        case notConnected = 0, connected = 1, canConnect = 2, cannotConnect = 3
    }

    /// A peer in an answer.
    public struct Peer: Sendable, Equatable {
        /// Its ID.
        public var id: PeerID
        /// Its addresses.
        public var addresses: [Multiaddr]
        /// The sender's connection to it.
        public var connection: Connection

        /// Creates a peer entry.
        public init(id: PeerID, addresses: [Multiaddr], connection: Connection = .notConnected) {
            self.id = id
            self.addresses = addresses
            self.connection = connection
        }
    }

    /// The message type.
    public var type: MessageType
    /// The key: a peer ID's bytes (FIND_NODE) or a multihash (GET_PROVIDERS, ADD_PROVIDER).
    public var key: [UInt8]
    /// Peers closer to the key.
    public var closerPeers: [Peer]
    /// Peers providing the key.
    public var providerPeers: [Peer]
    /// Entries dropped while decoding (bad peer IDs or addresses, past the caps).
    public var dropped: Int

    /// Creates a message.
    public init(type: MessageType, key: [UInt8], closerPeers: [Peer] = [], providerPeers: [Peer] = []) {
        self.type = type
        self.key = key
        self.closerPeers = closerPeers
        self.providerPeers = providerPeers
        dropped = 0
    }

    /// The protobuf encoding (without the length prefix).
    public var encoded: [UInt8] {
        var writer = ProtobufWriter()
        writer.writeVarint(field: 1, type.rawValue)
        writer.writeBytes(field: 2, key)
        for peer in closerPeers { writer.writeMessage(field: 8) { Self.write(peer, into: &$0) } }
        for peer in providerPeers { writer.writeMessage(field: 9) { Self.write(peer, into: &$0) } }
        return writer.bytes
    }

    private static func write(_ peer: Peer, into writer: inout ProtobufWriter) {
        writer.writeBytes(field: 1, peer.id.bytes)
        for address in peer.addresses { writer.writeBytes(field: 2, address.bytes) }
        writer.writeVarint(field: 3, peer.connection.rawValue)
    }

    /// Decodes a message body.
    public init(decoding bytes: [UInt8]) throws(Libp2pError) {
        guard bytes.count <= Self.maxLength else { throw .protocolViolation("DHT message of \(bytes.count) bytes is too large") }
        var type: MessageType?
        var key: [UInt8] = []
        var closer: [Peer] = []
        var providers: [Peer] = []
        var dropped = 0
        var reader = ProtobufReader(bytes)
        do {
            while let field = try reader.next() {
                switch (field.field, field.value) {
                case (1, .varint(let raw)):
                    guard let known = MessageType(rawValue: raw) else { throw Libp2pError.protocolViolation("unknown DHT message type \(raw)") }
                    type = known
                case (2, .lengthDelimited(let value)):
                    key = Array(value)
                case (8, .lengthDelimited(let value)), (9, .lengthDelimited(let value)):
                    let isCloser = field.field == 8
                    guard (isCloser ? closer.count : providers.count) < Self.maxPeers, let peer = try Self.peer(value, dropped: &dropped) else {
                        dropped += 1
                        continue
                    }
                    if isCloser { closer.append(peer) } else { providers.append(peer) }
                default:
                    continue
                }
            }
        } catch let error as Libp2pError {
            throw error
        } catch {
            throw .protocolViolation("bad DHT protobuf: \(error)")
        }
        guard let type else { throw .protocolViolation("DHT message without a type") }
        self.type = type
        self.key = key
        closerPeers = closer
        providerPeers = providers
        self.dropped = dropped
    }

    /// One `Peer`, or nil when its ID is missing or not a peer ID.
    private static func peer(_ bytes: ArraySlice<UInt8>, dropped: inout Int) throws -> Peer? {
        var reader = ProtobufReader(bytes)
        var id: PeerID?
        var addresses: [Multiaddr] = []
        var connection = Connection.notConnected
        while let field = try reader.next() {
            switch (field.field, field.value) {
            case (1, .lengthDelimited(let value)):
                id = try? PeerID(bytes: value)
            case (2, .lengthDelimited(let value)):
                if addresses.count < maxAddressesPerPeer, let address = try? Multiaddr(bytes: value) {
                    addresses.append(address)
                } else {
                    dropped += 1
                }
            case (3, .varint(let raw)):
                connection = Connection(rawValue: raw) ?? .notConnected
            default:
                continue
            }
        }
        guard let id else { return nil }
        return Peer(id: id, addresses: addresses, connection: connection)
    }
}
