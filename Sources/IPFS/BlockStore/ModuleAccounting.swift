/// Who holds which block, and how many bytes each module is charged.
///
/// A module holds a block while one of its pins reaches it or while one of its imports has put it
/// and not yet released it. Each hold is counted, so two pins sharing a block keep it until both go.
///
/// Charging rule for shared blocks: every module that holds a block is charged its full size, once
/// per module however many of its pins reach it; on disk the block exists once. A module's usage
/// therefore never depends on what other modules do (no one can free or fill another's quota),
/// and the sum of module usages may exceed the bytes on disk.
struct ModuleAccounting {
    /// module -> storage key -> number of holds.
    private var holds: [String: [String: Int]] = [:]
    /// module -> bytes charged.
    private var charged: [String: Int64] = [:]
    /// storage key -> number of holds across all modules.
    private var holdsByKey: [String: Int] = [:]

    /// Bytes charged to `module`.
    func usage(of module: String) -> Int64 { charged[module] ?? 0 }

    /// True when `module` holds the block with `key`.
    func holds(_ module: String, _ key: String) -> Bool { holds[module]?[key] != nil }

    /// True when any module holds the block with `key` (such a block survives garbage collection).
    func isHeld(_ key: String) -> Bool { holdsByKey[key] != nil }

    /// Every module with a non-zero charge.
    var modules: [String] { charged.filter { $0.value > 0 }.map(\.key).sorted() }

    /// Adds one hold; charges `size` if the module did not hold the block yet.
    mutating func hold(_ module: String, _ key: String, size: Int64) {
        let previous = holds[module, default: [:]][key] ?? 0
        holds[module, default: [:]][key] = previous + 1
        if previous == 0 { charged[module, default: 0] += size }
        holdsByKey[key, default: 0] += 1
    }

    /// Removes one hold; refunds `size` when it was the module's last hold on the block.
    mutating func release(_ module: String, _ key: String, size: Int64) {
        guard let previous = holds[module]?[key] else { return }
        if previous <= 1 {
            holds[module]?[key] = nil
            charged[module, default: 0] -= size
            if charged[module] == 0 { charged[module] = nil }
            if holds[module]?.isEmpty == true { holds[module] = nil }
        } else {
            holds[module]?[key] = previous - 1
        }
        let total = holdsByKey[key] ?? 0
        holdsByKey[key] = total <= 1 ? nil : total - 1
    }
}
