import Multiformats

/// A link in a dag-pb node: the child's CID, an optional name and an optional cumulative size.
public struct DagPBLink: Sendable, Equatable {
    /// The child's CID.
    public var cid: CID
    /// The entry name (directories) or nil; UnixFS file links carry an empty name.
    public var name: String?
    /// The total size of the child's DAG in bytes (all blocks), if recorded.
    public var totalSize: UInt64?

    /// Creates a link.
    public init(cid: CID, name: String?, totalSize: UInt64?) {
        self.cid = cid
        self.name = name
        self.totalSize = totalSize
    }
}

/// A dag-pb (MerkleDAG protobuf) node: links and optional opaque data (UnixFS puts its metadata there).
///
/// Encoding follows the dag-pb spec: links (field 2) first, then data (field 1). Decoding is strict:
/// unknown fields, repeated data, links after data and missing link hashes are rejected.
public struct DagPBNode: Sendable, Equatable {
    /// The node's links, in stored order.
    public var links: [DagPBLink]
    /// The node's data, if any.
    public var data: [UInt8]?

    /// Creates a node.
    public init(links: [DagPBLink], data: [UInt8]?) {
        self.links = links
        self.data = data
    }

    /// The node's dag-pb encoding.
    public func encoded() -> [UInt8] {
        var writer = ProtobufWriter()
        for link in links {
            writer.writeMessage(field: 2) { linkWriter in
                linkWriter.writeBytes(field: 1, link.cid.bytes)
                if let name = link.name { linkWriter.writeString(field: 2, name) }
                if let size = link.totalSize { linkWriter.writeVarint(field: 3, size) }
            }
        }
        if let data { writer.writeBytes(field: 1, data) }
        return writer.bytes
    }

    /// Decodes a dag-pb block.
    /// - Throws: `IPFSError.invalidDagPB` on any deviation from the spec.
    public init(decoding bytes: some Collection<UInt8>) throws(IPFSError) {
        var reader = ProtobufReader(Array(bytes))
        var links: [DagPBLink] = []
        var data: [UInt8]?
        do {
            while let field = try reader.next() {
                switch (field.field, field.value) {
                case (2, .lengthDelimited(let body)):
                    guard data == nil else { throw IPFSError.invalidDagPB("a link follows the data field") }
                    links.append(try Self.decodeLink(body))
                case (1, .lengthDelimited(let body)):
                    guard data == nil else { throw IPFSError.invalidDagPB("data field appears twice") }
                    data = Array(body)
                default:
                    throw IPFSError.invalidDagPB("unexpected field \(field.field) in node")
                }
            }
        } catch let error as IPFSError {
            throw error
        } catch let error as MultiformatsError {
            throw .invalidDagPB(error.description)
        } catch {
            throw .invalidDagPB("\(error)")
        }
        self.links = links
        self.data = data
    }

    private static func decodeLink(_ body: ArraySlice<UInt8>) throws(IPFSError) -> DagPBLink {
        var reader = ProtobufReader(body)
        var cid: CID?
        var name: String?
        var totalSize: UInt64?
        var lastField = 0
        do {
            while let field = try reader.next() {
                guard field.field > lastField else { throw IPFSError.invalidDagPB("link fields out of order or repeated") }
                lastField = field.field
                switch (field.field, field.value) {
                case (1, .lengthDelimited(let hash)):
                    cid = try CID(bytes: Array(hash))
                case (2, .lengthDelimited(let text)):
                    guard let decoded = String(validating: text, as: UTF8.self) else {
                        throw IPFSError.invalidDagPB("link name is not UTF-8")
                    }
                    name = decoded
                case (3, .varint(let size)):
                    totalSize = size
                default:
                    throw IPFSError.invalidDagPB("unexpected field \(field.field) in link")
                }
            }
        } catch let error as IPFSError {
            throw error
        } catch let error as MultiformatsError {
            throw .invalidDagPB("link: \(error.description)")
        } catch {
            throw .invalidDagPB("link: \(error)")
        }
        guard let cid else { throw .invalidDagPB("link without a hash") }
        return DagPBLink(cid: cid, name: name, totalSize: totalSize)
    }
}
