import Bitswap
import IPFS
import Multiformats

extension Harness {
    /// The CAR reader (v1 and v2) over an in-memory stream: every block it returns must verify
    /// against its CID, and offsets only move forward.
    public static func car(_ bytes: [UInt8]) async throws {
        let reader: CARReader
        do {
            // A small block limit keeps hostile length prefixes cheap to refuse.
            reader = try await CARReader(source: ArrayByteSource(bytes), maxBlockSize: 1 << 16)
        } catch {
            _ = "\(error)"
            return
        }
        try fuzzCheck(reader.header.version == 1 || reader.header.version == 2, "version \(reader.header.version)")
        var last = reader.offset
        var count = 0
        while count < 10_000 {
            let next: Block?
            do { next = try await reader.next() } catch { _ = "\(error)"; return }
            guard let block = next else { return }
            count += 1
            try fuzzCheck(block.cid.multihash.verifies(block.data) || block.cid.multihash.function == .identity,
                          "block \(block.cid) does not match its data")
            try fuzzCheck(reader.offset > last && reader.offset <= UInt64(bytes.count), "offset \(reader.offset) after \(last)")
            last = reader.offset
        }
    }

    /// dag-pb nodes and the UnixFS data inside them (and UnixFS data on its own), with round trips.
    public static func dagPB(_ bytes: [UInt8]) throws {
        if let node = try? DagPBNode(decoding: bytes) {
            let encoded = node.encoded()
            try fuzzCheck((try? DagPBNode(decoding: encoded)) == node, "dag-pb node does not round-trip")
            if let inner = node.data { try checkUnixFS(inner) }
        }
        try checkUnixFS(bytes)
    }

    private static func checkUnixFS(_ bytes: [UInt8]) throws {
        guard let unixfs = try? UnixFSData(decoding: bytes) else { return }
        let again = try? UnixFSData(decoding: unixfs.encoded())
        try fuzzCheck(again?.kind == unixfs.kind && again?.data == unixfs.data && again?.fileSize == unixfs.fileSize
                      && again?.blockSizes == unixfs.blockSizes, "UnixFS data does not round-trip")
    }

    /// Trustless-gateway request targets. Input: the request target, then optionally "\n" and the
    /// Accept header. A parsed entity-bytes range must resolve inside any file size.
    public static func gatewayRequest(_ bytes: [UInt8]) throws {
        let (head, tail) = splitOnce(bytes, at: 0x0A)
        let target = String(decoding: head, as: UTF8.self)
        let accept = tail.map { String(decoding: $0, as: UTF8.self) }
        if let request = try? GatewayRequest(target: target, accept: accept) {
            try fuzzCheck(!request.path.contains(".") && !request.path.contains(".."), "dot segment in path \(request.path)")
            if let range = request.entityBytes { try checkRange(range) }
        }
        // The range syntax on its own, with the whole input as text.
        if let range = try? EntityBytes(parsing: String(decoding: bytes, as: UTF8.self)) { try checkRange(range) }
    }

    private static func checkRange(_ range: EntityBytes) throws {
        for fileSize: UInt64 in [0, 1, 2, 100, 1 << 32, UInt64(Int64.max), UInt64(Int64.max) + 1, UInt64.max] {
            let resolved = range.resolved(fileSize: fileSize)
            try fuzzCheck(resolved.upperBound <= fileSize, "\(range) on \(fileSize) resolves to \(resolved)")
        }
    }

    /// Bitswap 1.2 message bodies as a peer sends them; a decoded message re-encodes to one that
    /// decodes to the same message, and payload CIDs can be computed without trapping.
    public static func bitswap(_ bytes: [UInt8]) throws {
        guard let message = try? BitswapMessage(decoding: bytes) else { return }
        let encoded = message.encoded()
        let again = try? BitswapMessage(decoding: encoded, maxSize: Int.max)
        try fuzzCheck(again == message, "Bitswap message does not round-trip")
        for payload in message.payloads { _ = try? payload.cid() }
        // The framed form is the body behind its length.
        let framed = BitswapFraming.frame(message)
        if let (length, prefix) = try? Varint.decode(framed) {
            try fuzzCheck(Int(length) == encoded.count && prefix + encoded.count == framed.count, "frame length is wrong")
        }
    }
}
