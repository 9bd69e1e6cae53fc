/// Splits a byte stream into chunks of exactly `chunkSize` bytes (the last one may be shorter),
/// reading the source piece by piece so that only one chunk is in memory at a time.
///
/// An empty stream yields one empty chunk, because an empty file is still one (empty) leaf.
public struct FixedSizeChunker {
    private let source: ByteSource
    /// The size of every chunk but the last.
    public let chunkSize: Int
    private var producedAny = false
    private var finished = false

    /// Chunks `source` into pieces of `chunkSize` bytes.
    /// - Throws: `IPFSError.invalidOption` when `chunkSize` is not positive.
    public init(source: ByteSource, chunkSize: Int) throws(IPFSError) {
        guard chunkSize > 0 else { throw .invalidOption("chunk size must be positive, got \(chunkSize)") }
        self.source = source
        self.chunkSize = chunkSize
    }

    /// The next chunk, or nil when the stream is exhausted.
    public mutating func next() async throws -> [UInt8]? {
        if finished { return nil }
        var chunk: [UInt8] = []
        while chunk.count < chunkSize {
            let piece = try await source.read(upTo: chunkSize - chunk.count)
            if piece.isEmpty {
                finished = true
                break
            }
            if chunk.isEmpty {
                chunk = piece
                chunk.reserveCapacity(chunkSize)
            } else {
                chunk.append(contentsOf: piece)
            }
        }
        if chunk.isEmpty && producedAny { return nil }
        producedAny = true
        return chunk
    }
}
