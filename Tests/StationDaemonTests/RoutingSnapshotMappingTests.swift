import StationHost
import StationStatus
import Testing
@testable import StationDaemon

@Suite("The status API's routing figures come from the content router")
struct RoutingSnapshotMappingTests {
    @Test("every counter lands in its field; failed requests stay inside the request counts")
    func mapping() {
        let statistics = RoutingStatistics(
            routingTableSize: 37, lookups: 12, failedLookups: 3, providersFound: 20,
            delegatedRequests: 9, failedDelegatedRequests: 2, dhtRequests: 140, failedDHTRequests: 11,
            providerAnnouncements: 5, servedDHTRequests: 61, refusedDHTRequests: 4, providerRecords: 17)
        let snapshot = RoutingSnapshot(statistics)
        #expect(snapshot == RoutingSnapshot(
            routingTableSize: 37, lookups: 12, lookupsFailed: 3, providersFound: 20,
            delegatedRequests: 9, dhtRequests: 140, providerAnnouncements: 5,
            dhtRequestsServed: 61, dhtRequestsRefused: 4, providerRecords: 17))
    }

    @Test("a fresh router reports zeros, not nothing")
    func zeros() {
        #expect(RoutingSnapshot(RoutingStatistics()) == RoutingSnapshot())
    }

    @Test("a daemon without a block store has no routing figures")
    func noContentNoRouting() async throws {
        let harness = try TestDaemon()
        try harness.addModule("plain", wat: TestModules.worker(intervalMs: 100, message: "tick"))
        let daemon = try await harness.start()
        #expect(await daemon.snapshot().routing == nil)
        await harness.stop()
    }
}
