import Multiformats
import NIOCore

/// The multistream-select 1.0 message framing: an unsigned-varint length, then the UTF-8 line
/// including its trailing `\n` (spec: multiformats/multistream-select).
public enum MultistreamCodec {
    /// The protocol header both sides exchange first.
    public static let header = "/multistream/1.0.0"
    /// The reply meaning "not available".
    public static let notAvailable = "na"
    /// The default longest line we accept (the spec allows up to 64 KiB; protocol ids are short).
    public static let defaultMaxLineLength = 1024

    /// Encodes one message (`line` without its newline).
    public static func encode(_ line: String) -> [UInt8] {
        let body = Array(line.utf8) + [0x0A]
        return ProtobufWire.lengthPrefixed(body)
    }

    /// Encodes one message into a buffer.
    public static func encode(_ line: String, into buffer: inout ByteBuffer) {
        buffer.writeBytes(encode(line))
    }

    /// Decodes one message from the front of `buffer`, or returns nil (consuming nothing) when more
    /// bytes are needed. Throws when the declared length exceeds `maxLineLength`, the line does not
    /// end with `\n`, or is not UTF-8.
    public static func decode(_ buffer: inout ByteBuffer, maxLineLength: Int = defaultMaxLineLength) throws(Libp2pError) -> String? {
        let view = buffer.readableBytesView
        let decoded: (value: UInt64, length: Int)
        do {
            decoded = try Varint.decode(view.prefix(Varint.maxLength))
        } catch .varintTruncated {
            if view.count >= Varint.maxLength { throw .multistreamMalformed("bad length prefix") }
            return nil
        } catch {
            throw .multistreamMalformed("bad length prefix: \(error)")
        }
        guard decoded.value <= UInt64(maxLineLength) else { throw .multistreamLineTooLong(Int(clamping: decoded.value)) }
        let length = Int(decoded.value)
        guard view.count >= decoded.length + length else { return nil }
        guard length > 0 else { throw .multistreamMalformed("empty message") }
        buffer.moveReaderIndex(forwardBy: decoded.length)
        guard let body = buffer.readBytes(length: length) else { return nil }
        guard body.last == 0x0A else { throw .multistreamMalformed("message does not end with a newline") }
        guard let line = String(validating: body.dropLast(), as: UTF8.self) else {
            throw .multistreamMalformed("message is not UTF-8")
        }
        return line
    }
}
