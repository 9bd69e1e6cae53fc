import Multiformats

/// The identify protobuf (`/ipfs/id/1.0.0`, spec: libp2p/specs identify):
/// `publicKey = 1, listenAddrs = 2, protocols = 3, observedAddr = 4, protocolVersion = 5,
/// agentVersion = 6, signedPeerRecord = 8`.
public struct IdentifyMessage: Sendable, Equatable {
    /// The largest identify message we accept.
    public static let maxLength = 64 * 1024

    /// The sender's identity key.
    public var publicKey: PublicKey?
    /// Addresses the sender listens on (binary multiaddrs that failed to parse are skipped).
    public var listenAddresses: [Multiaddr] = []
    /// Protocols the sender handles.
    public var protocols: [String] = []
    /// The address the sender sees us connecting from.
    public var observedAddress: Multiaddr?
    /// E.g. `ipfs/0.1.0`.
    public var protocolVersion: String?
    /// E.g. `kubo/0.22.0`.
    public var agentVersion: String?

    /// Creates a message.
    public init(publicKey: PublicKey? = nil, listenAddresses: [Multiaddr] = [], protocols: [String] = [], observedAddress: Multiaddr? = nil, protocolVersion: String? = nil, agentVersion: String? = nil) {
        self.publicKey = publicKey
        self.listenAddresses = listenAddresses
        self.protocols = protocols
        self.observedAddress = observedAddress
        self.protocolVersion = protocolVersion
        self.agentVersion = agentVersion
    }

    /// Decodes the protobuf body (without the length prefix).
    public init(decoding bytes: [UInt8]) throws(Libp2pError) {
        guard bytes.count <= Self.maxLength else { throw .protocolViolation("identify message of \(bytes.count) bytes is too large") }
        var reader = ProtobufReader(bytes)
        do {
            while let field = try reader.next() {
                guard case .lengthDelimited(let value) = field.value else { continue }
                switch field.field {
                case 1: publicKey = try PublicKey(protobuf: value)
                case 2: if let address = try? Multiaddr(bytes: value) { listenAddresses.append(address) }
                case 3: if let text = String(validating: value, as: UTF8.self) { protocols.append(text) }
                case 4: observedAddress = try? Multiaddr(bytes: value)
                case 5: protocolVersion = String(validating: value, as: UTF8.self)
                case 6: agentVersion = String(validating: value, as: UTF8.self)
                default: break
                }
            }
        } catch let error as Libp2pError {
            throw error
        } catch {
            throw .protocolViolation("bad identify protobuf: \(error)")
        }
    }

    /// The protobuf encoding (without the length prefix).
    public var encoded: [UInt8] {
        var writer = ProtobufWriter()
        if let protocolVersion { writer.writeString(field: 5, protocolVersion) }
        if let agentVersion { writer.writeString(field: 6, agentVersion) }
        if let publicKey { writer.writeBytes(field: 1, publicKey.protobufBytes) }
        for address in listenAddresses { writer.writeBytes(field: 2, address.bytes) }
        if let observedAddress { writer.writeBytes(field: 4, observedAddress.bytes) }
        for name in protocols { writer.writeString(field: 3, name) }
        return writer.bytes
    }

    /// Decodes a message that may or may not carry a varint length prefix (older peers omit it).
    public init(framedOrRaw bytes: [UInt8]) throws(Libp2pError) {
        if let (length, size) = try? Varint.decode(bytes), size + Int(length) == bytes.count, length > 0 {
            try self.init(decoding: Array(bytes[size...]))
        } else {
            try self.init(decoding: bytes)
        }
    }
}
