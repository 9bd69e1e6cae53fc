import IPFS

/// Collects the garbage of a shared block store on a timer, so unpinned blocks do not stay on
/// disk until the next put finds the store full (puts collect on pressure themselves).
public final class StoreCollector: Sendable {
    /// The block store's cap when its configuration sets none (`station run`): 1 GiB.
    public static let defaultCapacity: Int64 = 1 << 30
    /// How often the garbage is collected when nothing says otherwise.
    public static let defaultInterval: Duration = .seconds(60)

    private let task: Task<Void, Never>

    /// Collects `store`'s garbage now, then every `interval`, until ``stop()``. A collection that
    /// fails (a file that cannot be removed) is retried at the next tick.
    public init(store: BlockStore, every interval: Duration = StoreCollector.defaultInterval) {
        task = Task.detached(priority: .background) {
            while !Task.isCancelled {
                _ = try? store.collectGarbage()
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Stops the timer (a collection in progress finishes first).
    public func stop() async {
        task.cancel()
        await task.value
    }

    /// The cap for a store shared by modules with these quotas: their sum, so a module within its
    /// quota always finds room once the garbage is collected, and no more than `budget` (the
    /// daemon's storage budget) when there is one. Saturates instead of overflowing.
    public static func capacity(quotas: some Sequence<Int64>, budget: UInt64?) -> Int64 {
        var total: Int64 = 0
        for quota in quotas where quota > 0 {
            let (sum, overflow) = total.addingReportingOverflow(quota)
            total = overflow ? .max : sum
        }
        if let budget { total = min(total, Int64(clamping: budget)) }
        return total
    }
}
