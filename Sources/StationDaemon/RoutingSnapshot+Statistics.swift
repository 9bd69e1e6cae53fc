import StationHost
import StationStatus

extension RoutingSnapshot {
    /// The status API's view of the content router's counters (StationStatus knows nothing of the
    /// runtime, so the daemon translates): failed lookups keep their meaning, the request counts
    /// include failed requests.
    init(_ statistics: RoutingStatistics) {
        self.init(
            routingTableSize: statistics.routingTableSize,
            lookups: UInt64(max(0, statistics.lookups)),
            lookupsFailed: UInt64(max(0, statistics.failedLookups)),
            providersFound: UInt64(max(0, statistics.providersFound)),
            delegatedRequests: UInt64(max(0, statistics.delegatedRequests)),
            dhtRequests: UInt64(max(0, statistics.dhtRequests)),
            providerAnnouncements: UInt64(max(0, statistics.providerAnnouncements)),
            dhtRequestsServed: UInt64(max(0, statistics.servedDHTRequests)),
            dhtRequestsRefused: UInt64(max(0, statistics.refusedDHTRequests)),
            providerRecords: max(0, statistics.providerRecords))
    }
}
