import Multiformats

/// The UnixFS metadata carried in a dag-pb node's data field (the `Data` protobuf message of the
/// UnixFS spec): node type, file bytes for leaves, file size and the size of each child.
public struct UnixFSData: Sendable, Equatable {
    /// The UnixFS node types.
    public enum Kind: UInt64, Sendable {
        /// Raw file bytes (old leaf form).
        case raw = 0
        /// A basic directory: one link per entry.
        case directory = 1
        /// A file (leaf or interior node).
        case file = 2
        /// Metadata node (unused).
        case metadata = 3
        /// A symbolic link; `data` holds the target.
        case symlink = 4
        /// A HAMT-sharded directory (not supported by this implementation yet).
        case hamtShard = 5
    }

    /// The node type.
    public var kind: Kind
    /// File bytes held directly in this node (leaves), or the symlink target.
    public var data: [UInt8]?
    /// The total file size under this node, if recorded.
    public var fileSize: UInt64?
    /// The file size under each child link, in link order.
    public var blockSizes: [UInt64]
    /// HAMT hash function (only for sharded directories).
    public var hashType: UInt64?
    /// HAMT fanout (only for sharded directories).
    public var fanout: UInt64?

    /// Creates UnixFS data.
    public init(kind: Kind, data: [UInt8]? = nil, fileSize: UInt64? = nil, blockSizes: [UInt64] = []) {
        self.kind = kind
        self.data = data
        self.fileSize = fileSize
        self.blockSizes = blockSizes
    }

    /// The protobuf encoding (fields in number order, block sizes unpacked, as kubo writes them).
    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        writer.writeVarint(field: 1, kind.rawValue)
        if let data { writer.writeBytes(field: 2, data) }
        if let fileSize { writer.writeVarint(field: 3, fileSize) }
        for size in blockSizes { writer.writeVarint(field: 4, size) }
        if let hashType { writer.writeVarint(field: 5, hashType) }
        if let fanout { writer.writeVarint(field: 6, fanout) }
        return writer.bytes
    }

    /// Decodes UnixFS data; unknown fields (mode, mtime) are skipped.
    /// - Throws: `IPFSError.invalidUnixFS` when the message is malformed or has no known type.
    public init(decoding bytes: [UInt8]) throws(IPFSError) {
        var reader = ProtobufReader(bytes)
        var kind: Kind?
        var data: [UInt8]?
        var fileSize: UInt64?
        var blockSizes: [UInt64] = []
        var hashType: UInt64?
        var fanout: UInt64?
        do {
            while let field = try reader.next() {
                switch (field.field, field.value) {
                case (1, .varint(let value)):
                    guard let known = Kind(rawValue: value) else { throw IPFSError.invalidUnixFS("unknown type \(value)") }
                    kind = known
                case (2, .lengthDelimited(let body)): data = Array(body)
                case (3, .varint(let value)): fileSize = value
                case (4, .varint(let value)): blockSizes.append(value)
                case (4, .lengthDelimited(let packed)):
                    var rest = packed
                    while !rest.isEmpty {
                        let (value, length) = try Varint.decode(rest)
                        blockSizes.append(value)
                        rest = rest.dropFirst(length)
                    }
                case (5, .varint(let value)): hashType = value
                case (6, .varint(let value)): fanout = value
                case (1...6, _): throw IPFSError.invalidUnixFS("field \(field.field) has the wrong wire type")
                default: continue
                }
            }
        } catch let error as IPFSError {
            throw error
        } catch let error as MultiformatsError {
            throw .invalidUnixFS(error.description)
        } catch {
            throw .invalidUnixFS("\(error)")
        }
        guard let kind else { throw .invalidUnixFS("missing type") }
        self.kind = kind
        self.data = data
        self.fileSize = fileSize
        self.blockSizes = blockSizes
        self.hashType = hashType
        self.fanout = fanout
    }
}
