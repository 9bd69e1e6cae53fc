/// The byte range `[lower, upper)` that holds exactly the keys starting with a prefix, under
/// bytewise (memcmp, then length) ordering.
///
/// The upper bound is the prefix with its trailing `0xFF` bytes dropped and its last byte then
/// incremented: `[0x01, 0xFF]` gives `[0x02]`. A prefix that is empty or made only of `0xFF` bytes has
/// no upper bound, because every key at or after it in byte order starts with it.
struct KeyValuePrefixRange: Equatable {
    /// The smallest key with the prefix: the prefix itself.
    let lower: [UInt8]
    /// The smallest key after every key with the prefix, or `nil` when there is none.
    let upper: [UInt8]?

    init(prefix: [UInt8]) {
        lower = prefix
        var bound = prefix
        while let last = bound.last, last == 0xFF {
            bound.removeLast()
        }
        if let last = bound.last {
            bound[bound.count - 1] = last + 1
            upper = bound
        } else {
            upper = nil
        }
    }

    /// Whether `key` starts with the prefix, decided by the bounds alone (used by tests to check
    /// the bounds against a plain prefix comparison).
    func contains(_ key: [UInt8]) -> Bool {
        guard !Self.less(key, lower) else { return false }
        guard let upper else { return true }
        return Self.less(key, upper)
    }

    /// Bytewise order as SQLite compares BLOBs: the first differing byte decides, else the shorter
    /// one comes first.
    static func less(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.lexicographicallyPrecedes(b)
    }
}
