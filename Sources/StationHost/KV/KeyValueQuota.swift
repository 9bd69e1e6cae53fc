/// The quota arithmetic of a put: usage is the sum of `len(key) + len(value)` over all entries.
///
/// Replacing a value counts only the difference. A put that does not make the store bigger is
/// always allowed, even when the store is already over its quota (for example after the quota was
/// lowered), so a module can always shrink or delete its way back under it.
struct KeyValueQuota {
    let quotaBytes: UInt64

    /// The usage after replacing an entry of `oldEntryBytes` (0 when the key is new) with one of
    /// `newEntryBytes`, or a `.quotaExceeded` error naming the quota and the current usage.
    func usageAfterPut(currentUsage: UInt64, oldEntryBytes: UInt64, newEntryBytes: UInt64) throws(StationError) -> UInt64 {
        if newEntryBytes <= oldEntryBytes {
            let freed = oldEntryBytes - newEntryBytes
            return currentUsage >= freed ? currentUsage - freed : 0
        }
        let growth = newEntryBytes - oldEntryBytes
        let (proposed, overflow) = currentUsage.addingReportingOverflow(growth)
        if overflow || proposed > quotaBytes {
            throw StationError(
                .quotaExceeded,
                "key-value store quota exceeded: the quota is \(quotaBytes) bytes and \(currentUsage) are used; "
                    + "this put needs \(growth) more (keys and values both count; delete entries to make room)"
            )
        }
        return proposed
    }
}
