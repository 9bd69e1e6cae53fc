import Multiformats

/// Reads a CAR (v1, or the v1 payload inside a v2) from a byte stream, one verified block at a time.
///
/// Memory holds one section at most; every block is hashed and checked against its CID before it is
/// returned (a mismatch throws `IPFSError.hashMismatch`). A stream that ends inside a section throws
/// `IPFSError.truncatedCAR`. A CARv2's index is never read: the reader stops at the payload's end.
public final class CARReader {
    /// The header: roots and version (2 for a CARv2, whose roots come from the inner CARv1).
    public let header: CARHeader
    /// The largest section (CID + block) accepted.
    public let maxSectionSize: Int
    private let reader: ByteReader
    private let payloadEnd: UInt64?

    /// The byte offset of the next unread section.
    public var offset: UInt64 { reader.offset }

    /// The fixed 11 bytes that open every CARv2.
    static let v2Pragma: [UInt8] = [0x0A, 0xA1, 0x67, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6F, 0x6E, 0x02]

    /// Reads the header of the CAR in `source`.
    /// - Parameter maxBlockSize: the largest block accepted (sections are this plus a CID).
    /// - Throws: `.invalidCARHeader`, `.unsupportedCARVersion`, `.truncatedCAR`.
    public init(source: ByteSource, maxBlockSize: Int = 2 << 20) async throws {
        reader = ByteReader(source)
        // Room for the CID; saturating, so no configured size can overflow it.
        maxSectionSize = maxBlockSize > Int.max - 256 ? Int.max : max(0, maxBlockSize) + 256
        let first = try await Self.readHeader(reader)
        switch first.version {
        case 1:
            header = first
            payloadEnd = nil
        case 2:
            // The v2 fixed header: 16 bytes characteristics, then data offset, data size, index offset (LE).
            let fixed = try await reader.readExactly(40)
            let dataOffset = Self.littleEndian(fixed[16 ..< 24])
            let dataSize = Self.littleEndian(fixed[24 ..< 32])
            guard dataOffset >= reader.offset else {
                throw IPFSError.invalidCARHeader("CARv2 data offset \(dataOffset) points into the header")
            }
            let (end, overflow) = dataOffset.addingReportingOverflow(dataSize)
            guard !overflow else { throw IPFSError.invalidCARHeader("CARv2 data size overflows") }
            try await reader.skip(dataOffset - reader.offset)
            let inner = try await Self.readHeader(reader)
            guard inner.version == 1 else { throw IPFSError.invalidCARHeader("CARv2 payload is not a CARv1") }
            guard reader.offset <= end else { throw IPFSError.invalidCARHeader("CARv2 payload header exceeds data size") }
            header = CARHeader(version: 2, roots: inner.roots)
            payloadEnd = end
        default:
            throw IPFSError.unsupportedCARVersion(first.version)
        }
    }

    /// The next block, verified against its CID, or nil at the end of the CAR (or v2 payload).
    public func next() async throws -> Block? {
        let start = reader.offset
        if let payloadEnd, start >= payloadEnd { return nil }
        guard let length = try await reader.readVarint() else { return nil }
        guard length > 0, length <= UInt64(maxSectionSize) else {
            throw IPFSError.invalidCARSection(offset: start, reason: "section length \(length) out of range")
        }
        if let payloadEnd, reader.offset + length > payloadEnd {
            throw IPFSError.invalidCARSection(offset: start, reason: "section crosses the end of the CARv2 payload")
        }
        let section = try await reader.readExactly(Int(length))
        let cid: CID
        let cidLength: Int
        do {
            (cid, cidLength) = try CID.decodePrefix(from: section[...])
        } catch {
            throw IPFSError.invalidCARSection(offset: start, reason: error.description)
        }
        return try Block(cid: cid, data: Array(section[cidLength...]))
    }

    private static func readHeader(_ reader: ByteReader) async throws -> CARHeader {
        guard let length = try await reader.readVarint() else { throw IPFSError.invalidCARHeader("empty input") }
        guard length > 0, length <= UInt64(CARHeader.maxLength) else {
            throw IPFSError.invalidCARHeader("header length \(length) out of range")
        }
        let bytes = try await reader.readExactly(Int(length))
        return try CARHeader(decodingCBOR: bytes)
    }

    private static func littleEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }
}
