/// Every way decoding or parsing a multiformat value can fail.
///
/// Each case carries enough context to explain the problem in a log line; `description`
/// renders it as a readable sentence.
public enum MultiformatsError: Error, Equatable, Sendable, CustomStringConvertible {
    // MARK: Varint
    /// The input ended before the varint's last byte (one without the continuation bit).
    case varintTruncated
    /// The varint is longer than the 9 bytes (63 bits) multiformats allows.
    case varintTooLong
    /// The varint has redundant trailing zero groups (e.g. `0x80 0x00` for 0).
    case varintNotMinimal

    // MARK: Protobuf
    /// The protobuf input ended inside a field.
    case protobufTruncated
    /// A protobuf tag used a wire type we do not support (3, 4 = groups; 6, 7 = undefined).
    case protobufBadWireType(Int)
    /// A protobuf tag named field number 0 or one above the protobuf maximum.
    case protobufBadFieldNumber(UInt64)
    /// A length-delimited protobuf field claimed more bytes than remain.
    case protobufLengthOutOfRange(declared: UInt64, available: Int)

    // MARK: Multihash
    /// The multihash bytes ended before the declared digest length.
    case multihashTruncated
    /// The multihash's declared digest length disagrees with the bytes given or with the hash function.
    case multihashWrongDigestLength(code: UInt64, expected: Int, actual: Int)
    /// Bytes remained after a complete multihash where none were expected.
    case trailingBytes(Int)

    // MARK: Multibase / base-N
    /// The string is empty, so it has no multibase prefix.
    case multibaseEmpty
    /// The multibase prefix character is not one we support.
    case multibaseUnknownPrefix(Character)
    /// A character is not in the alphabet of the named encoding.
    case invalidCharacter(Character, encoding: String)
    /// The string has a length or padding no valid encoding produces.
    case invalidEncodingLength(encoding: String)

    // MARK: CID
    /// The CID version is not 0 or 1 (or the bytes do not start with a CID).
    case cidUnsupportedVersion(UInt64)
    /// A CIDv0 must be a sha2-256 multihash with a 32-byte digest.
    case cidV0RequiresSHA256
    /// A CIDv0 must use the dag-pb codec.
    case cidV0RequiresDagPB(codec: UInt64)
    /// The binary CID ended inside its version or codec varint.
    case cidTruncated
    /// A CIDv0 string must be base58btc starting with "Qm"; a v1 string must carry a multibase prefix.
    case cidBadString(String)

    // MARK: Multiaddr
    /// The multiaddr text does not start with "/" or has an empty or missing part.
    case multiaddrBadSyntax(String)
    /// The protocol name or code is not one we support.
    case multiaddrUnknownProtocol(String)
    /// A protocol that needs a value was given none, or an invalid one.
    case multiaddrBadValue(protocolName: String, value: String)
    /// The binary multiaddr ended inside a component.
    case multiaddrTruncated

    /// A readable sentence describing the failure.
    public var description: String {
        switch self {
        case .varintTruncated:
            return "varint is truncated: input ended before the final byte"
        case .varintTooLong:
            return "varint is longer than 9 bytes (63 bits), the multiformats maximum"
        case .varintNotMinimal:
            return "varint is not minimally encoded"
        case .protobufTruncated:
            return "protobuf message is truncated"
        case .protobufBadWireType(let type):
            return "protobuf wire type \(type) is not supported"
        case .protobufBadFieldNumber(let number):
            return "protobuf field number \(number) is invalid"
        case .protobufLengthOutOfRange(let declared, let available):
            return "protobuf field declares \(declared) bytes but only \(available) remain"
        case .multihashTruncated:
            return "multihash is truncated"
        case .multihashWrongDigestLength(let code, let expected, let actual):
            return "multihash 0x\(String(code, radix: 16)) digest length is \(actual), expected \(expected)"
        case .trailingBytes(let count):
            return "\(count) unexpected byte(s) after the end of the value"
        case .multibaseEmpty:
            return "multibase string is empty"
        case .multibaseUnknownPrefix(let prefix):
            return "multibase prefix '\(prefix)' is not supported"
        case .invalidCharacter(let character, let encoding):
            return "character '\(character)' is not valid \(encoding)"
        case .invalidEncodingLength(let encoding):
            return "string length or padding is not valid \(encoding)"
        case .cidUnsupportedVersion(let version):
            return "CID version \(version) is not supported (only 0 and 1)"
        case .cidTruncated:
            return "binary CID is truncated"
        case .cidV0RequiresSHA256:
            return "a CIDv0 must be a sha2-256 multihash with a 32-byte digest"
        case .cidV0RequiresDagPB(let codec):
            return "a CIDv0 must use the dag-pb codec, not 0x\(String(codec, radix: 16))"
        case .cidBadString(let text):
            return "'\(text.prefix(80))' is not a valid CID string"
        case .multiaddrBadSyntax(let text):
            return "multiaddr '\(text.prefix(120))' is malformed"
        case .multiaddrUnknownProtocol(let name):
            return "multiaddr protocol '\(name.prefix(40))' is not supported"
        case .multiaddrBadValue(let protocolName, let value):
            return "'\(value.prefix(80))' is not a valid value for multiaddr protocol /\(protocolName)"
        case .multiaddrTruncated:
            return "binary multiaddr is truncated"
        }
    }
}
