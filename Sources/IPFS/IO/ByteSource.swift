import Multiformats
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A stream of bytes read in pieces, such as a file, a socket or an HTTP body.
///
/// Readers pull at most `maxCount` bytes at a time, so memory stays bounded however long the stream is.
public protocol ByteSource: AnyObject {
    /// Returns the next 1...`maxCount` bytes, or an empty array at the end of the stream.
    func read(upTo maxCount: Int) async throws -> [UInt8]
}

/// Reads a file through a POSIX descriptor.
public final class FileByteSource: ByteSource {
    private let descriptor: Int32
    private let path: String

    /// Opens `path` for reading.
    /// - Throws: `IPFSError.io` when the file cannot be opened.
    public init(path: String) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw DurableFile.posixError("open", path) }
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }

    /// Reads up to `maxCount` bytes; an empty result means end of file.
    public func read(upTo maxCount: Int) async throws -> [UInt8] {
        try readSync(upTo: maxCount)
    }

    /// The synchronous form of `read(upTo:)`.
    public func readSync(upTo maxCount: Int) throws -> [UInt8] {
        guard maxCount > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: maxCount)
        while true {
            let count = bytes.withUnsafeMutableBytes { systemRead(descriptor, $0, from: 0) }
            if count < 0 {
                if errno == EINTR { continue }
                throw DurableFile.posixError("read", path)
            }
            if count < maxCount { bytes.removeSubrange(count...) }
            return bytes
        }
    }
}

/// Serves bytes from memory (tests, small payloads).
public final class ArrayByteSource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0

    /// Wraps `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Returns the next piece of the array, or an empty array at its end.
    public func read(upTo maxCount: Int) async throws -> [UInt8] {
        let end = position + min(bytes.count - position, max(0, maxCount))
        defer { position = end }
        return Array(bytes[position ..< end])
    }
}

/// Adapts an `AsyncSequence` of byte chunks (e.g. an HTTP response body) to `ByteSource`.
public final class AsyncSequenceByteSource<Chunks: AsyncSequence>: ByteSource where Chunks.Element == [UInt8] {
    private var iterator: Chunks.AsyncIterator
    private var pending: [UInt8] = []
    private var pendingStart = 0

    /// Wraps `chunks`; chunks may have any size.
    public init(_ chunks: Chunks) { iterator = chunks.makeAsyncIterator() }

    /// Returns up to `maxCount` bytes from the current chunk, pulling the next chunk when needed.
    public func read(upTo maxCount: Int) async throws -> [UInt8] {
        while pendingStart >= pending.count {
            guard let next = try await iterator.next() else { return [] }
            pending = next
            pendingStart = 0
        }
        let end = pendingStart + min(pending.count - pendingStart, max(1, maxCount))
        defer { pendingStart = end }
        return Array(pending[pendingStart ..< end])
    }
}

/// Buffers a `ByteSource` and reads exact amounts and varints from it, counting the offset.
public final class ByteReader {
    private let source: ByteSource
    private var buffer: [UInt8] = []
    private var start = 0
    private var reachedEnd = false
    /// How many bytes have been consumed so far.
    public private(set) var offset: UInt64 = 0
    /// How much to ask the source for at a time.
    public let readSize: Int

    /// Wraps `source`, reading `readSize` bytes at a time.
    public init(_ source: ByteSource, readSize: Int = 256 * 1024) {
        self.source = source
        self.readSize = max(1, readSize)
    }

    /// True when every byte has been consumed and the source is exhausted.
    public func isAtEnd() async throws -> Bool {
        try await fill(1)
        return start >= buffer.count
    }

    /// Reads exactly `count` bytes.
    /// - Throws: `IPFSError.truncatedCAR` (with the offset) if the stream ends first.
    public func readExactly(_ count: Int) async throws -> [UInt8] {
        try await fill(count)
        guard buffer.count - start >= count else { throw IPFSError.truncatedCAR(offset: offset) }
        let bytes = Array(buffer[start ..< start + count])
        consume(count)
        return bytes
    }

    /// Reads one unsigned varint, or returns nil at a clean end of stream.
    public func readVarint() async throws -> UInt64? {
        try await fill(Varint.maxLength)
        if start >= buffer.count { return nil }
        do {
            let (value, length) = try Varint.decode(buffer[start...])
            consume(length)
            return value
        } catch .varintTruncated {
            throw IPFSError.truncatedCAR(offset: offset)
        } catch {
            throw IPFSError.invalidCARSection(offset: offset, reason: error.description)
        }
    }

    /// Skips `count` bytes.
    public func skip(_ count: UInt64) async throws {
        var remaining = count
        while remaining > 0 {
            try await fill(1)
            let available = buffer.count - start
            guard available > 0 else { throw IPFSError.truncatedCAR(offset: offset) }
            let step = Int(min(UInt64(available), remaining))
            consume(step)
            remaining -= UInt64(step)
        }
    }

    private func consume(_ count: Int) {
        start += count
        offset += UInt64(count)
        if start >= buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
    }

    /// Ensures at least `count` bytes are buffered, unless the source ends first.
    private func fill(_ count: Int) async throws {
        while buffer.count - start < count, !reachedEnd {
            let piece = try await source.read(upTo: max(readSize, count - (buffer.count - start)))
            if piece.isEmpty {
                reachedEnd = true
                break
            }
            if start > 0 {
                buffer.removeSubrange(0 ..< start)
                start = 0
            }
            buffer.append(contentsOf: piece)
        }
    }
}
