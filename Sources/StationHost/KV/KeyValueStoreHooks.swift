/// Failure injection points for tests: each runs inside a store's write transaction, and whatever
/// it throws rolls that transaction back.
struct KeyValueStoreHooks: Sendable {
    /// Runs in `put` after the value row is written and before the usage counter is updated.
    var afterValueWrite: (@Sendable () throws -> Void)?

    init(afterValueWrite: (@Sendable () throws -> Void)? = nil) {
        self.afterValueWrite = afterValueWrite
    }
}
