import Testing
@testable import StationHost

@Suite struct KeyValueQuotaTests {
    let quota = KeyValueQuota(quotaBytes: 100)

    @Test func reachingTheQuotaExactlyIsAllowed() throws {
        #expect(try quota.usageAfterPut(currentUsage: 60, oldEntryBytes: 0, newEntryBytes: 40) == 100)
    }

    @Test func oneByteOverIsRejectedWithQuotaAndUsageInTheMessage() {
        let error = keyValueError { () throws(StationError) in
            _ = try quota.usageAfterPut(currentUsage: 60, oldEntryBytes: 0, newEntryBytes: 41)
        }
        #expect(error?.code == .quotaExceeded)
        #expect(error?.message.contains("100 bytes") == true)
        #expect(error?.message.contains("60 are used") == true)
    }

    @Test func replacingCountsOnlyTheDifference() throws {
        #expect(try quota.usageAfterPut(currentUsage: 100, oldEntryBytes: 30, newEntryBytes: 30) == 100)
        #expect(try quota.usageAfterPut(currentUsage: 100, oldEntryBytes: 30, newEntryBytes: 10) == 80)
        #expect(try quota.usageAfterPut(currentUsage: 90, oldEntryBytes: 30, newEntryBytes: 40) == 100)
        #expect(throws: StationError.self) { try quota.usageAfterPut(currentUsage: 90, oldEntryBytes: 30, newEntryBytes: 41) }
    }

    @Test func shrinkingIsAllowedEvenOverTheQuota() throws {
        #expect(try quota.usageAfterPut(currentUsage: 150, oldEntryBytes: 50, newEntryBytes: 20) == 120)
        #expect(throws: StationError.self) { try quota.usageAfterPut(currentUsage: 150, oldEntryBytes: 20, newEntryBytes: 21) }
    }

    @Test func hugeUsageDoesNotOverflow() {
        let error = keyValueError { () throws(StationError) in
            _ = try KeyValueQuota(quotaBytes: .max).usageAfterPut(currentUsage: .max - 1, oldEntryBytes: 0, newEntryBytes: 10)
        }
        #expect(error?.code == .quotaExceeded)
    }
}
