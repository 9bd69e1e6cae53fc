import Multiformats

/// A CAR header: the format version and the root CIDs.
///
/// CARv1 headers are the DAG-CBOR map `{"roots": [CID...], "version": 1}` behind a varint length.
/// Only the subset of CBOR that header uses is understood (maps, arrays, text, bytes, unsigned
/// integers, tag 42 CIDs); anything else is refused.
public struct CARHeader: Sendable, Equatable {
    /// The CAR version (1, or 2 for a CARv2 wrapper).
    public var version: UInt64
    /// The roots the CAR claims to contain.
    public var roots: [CID]

    /// The largest header accepted, to bound memory on hostile input.
    public static let maxLength = 1 << 20

    /// Creates a header.
    public init(version: UInt64 = 1, roots: [CID]) {
        self.version = version
        self.roots = roots
    }

    /// The DAG-CBOR encoding of a version 1 header (without the length prefix).
    public func encodedCBOR() -> [UInt8] {
        var out: [UInt8] = [0xA2]
        CBOR.appendText("roots", to: &out)
        CBOR.appendHead(major: 4, value: UInt64(roots.count), to: &out)
        for root in roots {
            CBOR.appendHead(major: 6, value: 42, to: &out)
            CBOR.appendHead(major: 2, value: UInt64(root.bytes.count + 1), to: &out)
            out.append(0x00)
            out.append(contentsOf: root.bytes)
        }
        CBOR.appendText("version", to: &out)
        CBOR.appendHead(major: 0, value: version, to: &out)
        return out
    }

    /// Decodes the DAG-CBOR header map (without the length prefix).
    /// - Throws: `IPFSError.invalidCARHeader` for anything but a map with a version and (for v1) roots.
    public init(decodingCBOR bytes: [UInt8]) throws(IPFSError) {
        var reader = CBOR.Reader(bytes: bytes)
        let entries = try reader.readMapHeader()
        var version: UInt64?
        var roots: [CID]?
        for _ in 0 ..< entries {
            let key = try reader.readText()
            switch key {
            case "version":
                version = try reader.readUnsigned()
            case "roots":
                let count = try reader.readArrayHeader()
                guard count <= UInt64(bytes.count) else { throw .invalidCARHeader("roots count exceeds header size") }
                var list: [CID] = []
                for _ in 0 ..< count { list.append(try reader.readCIDLink()) }
                roots = list
            default:
                throw .invalidCARHeader("unexpected key '\(key.prefix(40))'")
            }
        }
        guard reader.isAtEnd else { throw .invalidCARHeader("trailing bytes after the header map") }
        guard let version else { throw .invalidCARHeader("missing version") }
        if version == 1 {
            guard let roots, !roots.isEmpty else { throw .invalidCARHeader("a CARv1 needs at least one root") }
        }
        self.version = version
        self.roots = roots ?? []
    }
}

/// The few CBOR pieces CAR headers need.
enum CBOR {
    static func appendHead(major: UInt8, value: UInt64, to out: inout [UInt8]) {
        let type = major << 5
        switch value {
        case 0 ..< 24: out.append(type | UInt8(value))
        case 24 ..< 0x100: out += [type | 24, UInt8(value)]
        case 0x100 ..< 0x10000: out += [type | 25, UInt8(value >> 8), UInt8(value & 0xFF)]
        case 0x10000 ..< 0x1_0000_0000:
            out.append(type | 26)
            for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        default:
            out.append(type | 27)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }
    }

    static func appendText(_ text: String, to out: inout [UInt8]) {
        appendHead(major: 3, value: UInt64(text.utf8.count), to: &out)
        out.append(contentsOf: text.utf8)
    }

    /// A strict reader over the header bytes.
    struct Reader {
        let bytes: [UInt8]
        var position = 0

        var isAtEnd: Bool { position == bytes.count }

        mutating func readHead() throws(IPFSError) -> (major: UInt8, value: UInt64) {
            guard position < bytes.count else { throw .invalidCARHeader("truncated") }
            let initial = bytes[position]
            position += 1
            let major = initial >> 5
            let info = initial & 0x1F
            switch info {
            case 0 ..< 24: return (major, UInt64(info))
            case 24 ... 27:
                let width = 1 << Int(info - 24)
                guard bytes.count - position >= width else { throw .invalidCARHeader("truncated") }
                var value: UInt64 = 0
                for byte in bytes[position ..< position + width] { value = value << 8 | UInt64(byte) }
                position += width
                return (major, value)
            default:
                throw .invalidCARHeader("indefinite or reserved CBOR length")
            }
        }

        mutating func readMapHeader() throws(IPFSError) -> UInt64 {
            let (major, value) = try readHead()
            guard major == 5 else { throw .invalidCARHeader("header is not a map") }
            guard value <= 16 else { throw .invalidCARHeader("header map too large") }
            return value
        }

        mutating func readArrayHeader() throws(IPFSError) -> UInt64 {
            let (major, value) = try readHead()
            guard major == 4 else { throw .invalidCARHeader("roots is not an array") }
            return value
        }

        mutating func readUnsigned() throws(IPFSError) -> UInt64 {
            let (major, value) = try readHead()
            guard major == 0 else { throw .invalidCARHeader("version is not an unsigned integer") }
            return value
        }

        mutating func readText() throws(IPFSError) -> String {
            let body = try readBody(expectedMajor: 3, what: "map key")
            guard let text = String(validating: body, as: UTF8.self) else { throw .invalidCARHeader("key is not UTF-8") }
            return text
        }

        mutating func readCIDLink() throws(IPFSError) -> CID {
            let (major, tag) = try readHead()
            guard major == 6, tag == 42 else { throw .invalidCARHeader("root is not a CID (tag 42)") }
            let body = try readBody(expectedMajor: 2, what: "CID")
            guard body.first == 0x00 else { throw .invalidCARHeader("CID link lacks the 0x00 multibase prefix") }
            do {
                return try CID(bytes: body.dropFirst())
            } catch {
                throw .invalidCARHeader("bad root CID: \(error.description)")
            }
        }

        private mutating func readBody(expectedMajor: UInt8, what: String) throws(IPFSError) -> ArraySlice<UInt8> {
            let (major, length) = try readHead()
            guard major == expectedMajor else { throw .invalidCARHeader("\(what) has the wrong CBOR type") }
            guard length <= UInt64(bytes.count - position) else { throw .invalidCARHeader("truncated") }
            let body = bytes[position ..< position + Int(length)]
            position += Int(length)
            return body
        }
    }
}
