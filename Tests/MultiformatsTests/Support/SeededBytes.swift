/// A deterministic byte generator (64-bit LCG) for garbage-input tests: the same seed
/// always gives the same inputs, so any failure reproduces.
struct SeededBytes {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt8 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return UInt8(truncatingIfNeeded: state >> 33)
    }

    /// `prefix` followed by up to `maxExtra` random bytes.
    mutating func bytes(after prefix: [UInt8], maxExtra: Int) -> [UInt8] {
        var result = prefix
        let extra = Int(next()) % (maxExtra + 1)
        for _ in 0 ..< extra { result.append(next()) }
        return result
    }

    /// A random string of `length` characters from `alphabet`.
    mutating func string(from alphabet: [Character], length: Int) -> String {
        String((0 ..< length).map { _ in alphabet[Int(next()) % alphabet.count] })
    }
}
