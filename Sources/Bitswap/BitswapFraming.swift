import IPFS
import Libp2p
import Multiformats
import NIOCore

/// Length-prefixed Bitswap messages on a stream: `uvarint(length) message`.
public enum BitswapFraming {
    /// The bytes to write for `message` on a stream.
    public static func frame(_ message: BitswapMessage, legacyBlocks: Bool = false) -> [UInt8] {
        let body = message.encoded(legacyBlocks: legacyBlocks)
        var framed = Varint.encode(UInt64(body.count))
        framed.append(contentsOf: body)
        return framed
    }
}

/// Reads length-prefixed Bitswap messages from a stream, refusing any message whose announced
/// length is above the limit before reading its body (memory stays bounded by the limit).
final class BitswapMessageReader {
    private let stream: Libp2pStream
    private let maxSize: Int
    private var buffer = ByteBuffer()

    init(stream: Libp2pStream, maxSize: Int) {
        self.stream = stream
        self.maxSize = max(0, maxSize)  // a negative limit refuses everything instead of trapping below
    }

    /// The next message, or nil when the stream ended cleanly between messages.
    func next() async throws -> BitswapMessage? {
        guard let length = try await readLength() else { return nil }
        guard length <= UInt64(maxSize) else { throw BitswapError.messageTooLarge(size: Int(clamping: length), limit: maxSize) }
        let size = Int(length)
        while buffer.readableBytes < size {
            guard try await fill() else { throw BitswapError.truncatedMessage(expected: size, received: buffer.readableBytes) }
        }
        guard let body = buffer.readBytes(length: size) else { throw BitswapError.truncatedMessage(expected: size, received: 0) }
        buffer.discardReadBytes()
        return try BitswapMessage(decoding: body, maxSize: maxSize)
    }

    /// Reads the varint length prefix; nil at a clean end of stream.
    private func readLength() async throws -> UInt64? {
        while true {
            let view = buffer.readableBytesView
            if !view.isEmpty {
                do {
                    let (value, length) = try Varint.decode(view)
                    buffer.moveReaderIndex(forwardBy: length)
                    return value
                } catch MultiformatsError.varintTruncated {
                    // need more bytes
                } catch {
                    throw BitswapError.malformedMessage("length prefix: \(error)")
                }
            }
            guard try await fill() else {
                if buffer.readableBytes == 0 { return nil }
                throw BitswapError.truncatedMessage(expected: 0, received: buffer.readableBytes)
            }
        }
    }

    /// Appends the next chunk from the stream; false at the end of the stream.
    private func fill() async throws -> Bool {
        guard var chunk = try await stream.read() else { return false }
        buffer.writeBuffer(&chunk)
        return true
    }
}
