import Foundation

/// Deterministic pseudo-random bytes (xorshift64 from `seed`): test content that does not
/// compress or deduplicate, and that is the same on every run so a failure reproduces.
public func pseudoRandomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed | 1
    return (0 ..< count).map { _ in
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return UInt8(truncatingIfNeeded: state)
    }
}

/// ``pseudoRandomBytes(_:seed:)`` as `Data`.
public func pseudoRandomData(_ count: Int, seed: UInt64) -> Data {
    Data(pseudoRandomBytes(count, seed: seed))
}
