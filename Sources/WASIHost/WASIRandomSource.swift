/// Where `random_get` takes its bytes from.
public protocol WASIRandomSource: Sendable {
    /// Fills `buffer` with random bytes.
    func fill(_ buffer: UnsafeMutableRawBufferPointer)
}

/// The operating system's cryptographically secure generator (`SystemRandomNumberGenerator`).
public struct SystemRandomSource: WASIRandomSource {
    public init() {}

    public func fill(_ buffer: UnsafeMutableRawBufferPointer) {
        var generator = SystemRandomNumberGenerator()
        var index = 0
        while index < buffer.count {
            var word = generator.next()
            let take = min(8, buffer.count - index)
            withUnsafeBytes(of: &word) { bytes in
                for offset in 0..<take { buffer[index + offset] = bytes[offset] }
            }
            index += take
        }
    }
}
