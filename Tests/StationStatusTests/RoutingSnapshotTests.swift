import Foundation
import Testing
@testable import StationStatus

@Suite("Content-routing figures in the status and the metrics")
struct RoutingSnapshotTests {
    @Test("routing round-trips through the status JSON with its ten members")
    func roundTrip() throws {
        let snapshot = Fixtures.snapshot()
        let data = try StatusJSON.encoder().encode(snapshot)
        #expect(try StatusJSON.decoder().decode(DaemonSnapshot.self, from: data) == snapshot)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let routing = try #require(object["routing"] as? [String: Any])
        #expect(routing.count == 10)
        #expect((routing["routingTableSize"] as? NSNumber)?.intValue == 143)
        #expect((routing["lookups"] as? NSNumber)?.uint64Value == 2_210)
        #expect((routing["lookupsFailed"] as? NSNumber)?.uint64Value == 12)
        #expect((routing["providersFound"] as? NSNumber)?.uint64Value == 5_412)
        #expect((routing["delegatedRequests"] as? NSNumber)?.uint64Value == 1_480)
        #expect((routing["dhtRequests"] as? NSNumber)?.uint64Value == 19_822)
        #expect((routing["providerAnnouncements"] as? NSNumber)?.uint64Value == 31)
        #expect((routing["dhtRequestsServed"] as? NSNumber)?.uint64Value == 4_077)
        #expect((routing["dhtRequestsRefused"] as? NSNumber)?.uint64Value == 9)
        #expect((routing["providerRecords"] as? NSNumber)?.intValue == 118)
    }

    @Test("without routing the member is left out, and an answer without it decodes with routing nil")
    func absent() throws {
        let snapshot = Fixtures.snapshot(routing: nil)
        let data = try StatusJSON.encoder().encode(snapshot)
        #expect(!String(decoding: data, as: UTF8.self).contains("routing"))
        #expect(try StatusJSON.decoder().decode(DaemonSnapshot.self, from: data).routing == nil)
        // An older daemon's answer, as it was written before routing existed.
        let old = #"{"version":"0.1.0","startedAt":"2026-11-26T11:37:00Z","listenAddresses":[],"budget":{},"process":{"residentBytes":1,"cpuSeconds":2},"modules":[],"jobsTotal":0,"serverTime":"2026-11-26T14:54:00Z"}"#
        let decoded = try StatusJSON.decoder().decode(DaemonSnapshot.self, from: Data(old.utf8))
        #expect(decoded.routing == nil)
        #expect(decoded.process.residentBytes == 1)
    }

    @Test("members missing inside routing read as 0; a wrong type is an error")
    func tolerantMembers() throws {
        let partial = try StatusJSON.decoder().decode(RoutingSnapshot.self, from: Data(#"{"lookups":7,"futureField":true}"#.utf8))
        #expect(partial == RoutingSnapshot(lookups: 7))
        #expect(try StatusJSON.decoder().decode(RoutingSnapshot.self, from: Data("{}".utf8)) == RoutingSnapshot())
        #expect(throws: DecodingError.self) {
            try StatusJSON.decoder().decode(RoutingSnapshot.self, from: Data(#"{"lookups":"many"}"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try StatusJSON.decoder().decode(RoutingSnapshot.self, from: Data(#"{"lookupsFailed":-1}"#.utf8))
        }
    }

    @Test("metrics: two gauges and eight counters named like the others, each with HELP and TYPE")
    func metricsLines() {
        let text = String(decoding: StatusMetrics.render(Fixtures.snapshot()), as: UTF8.self)
        let lines = Set(text.split(separator: "\n").map(String.init))
        let expected = [
            "# TYPE station_routing_table_peers gauge",
            "station_routing_table_peers 143.0",
            "# TYPE station_routing_lookups_total counter",
            "station_routing_lookups_total 2210",
            "# TYPE station_routing_lookups_failed_total counter",
            "station_routing_lookups_failed_total 12",
            "# TYPE station_routing_providers_found_total counter",
            "station_routing_providers_found_total 5412",
            "# TYPE station_routing_delegated_requests_total counter",
            "station_routing_delegated_requests_total 1480",
            "# TYPE station_routing_dht_requests_total counter",
            "station_routing_dht_requests_total 19822",
            "# TYPE station_routing_provider_announcements_total counter",
            "station_routing_provider_announcements_total 31",
            "# TYPE station_routing_dht_requests_served_total counter",
            "station_routing_dht_requests_served_total 4077",
            "# TYPE station_routing_dht_requests_refused_total counter",
            "station_routing_dht_requests_refused_total 9",
            "# TYPE station_routing_provider_records gauge",
            "station_routing_provider_records 118.0",
        ]
        for line in expected {
            #expect(lines.contains(line), "missing: \(line)")
        }
        for name in ["table_peers", "lookups_total", "lookups_failed_total", "providers_found_total", "delegated_requests_total", "dht_requests_total",
                     "provider_announcements_total", "dht_requests_served_total", "dht_requests_refused_total", "provider_records"] {
            #expect(lines.contains { $0.hasPrefix("# HELP station_routing_\(name) ") }, "no HELP for \(name)")
        }
    }

    @Test("metrics: no routing series when the status has no routing")
    func metricsWithoutRouting() {
        let text = String(decoding: StatusMetrics.render(Fixtures.snapshot(routing: nil)), as: UTF8.self)
        #expect(!text.contains("station_routing"))
        #expect(text.contains("station_up 1.0"))
    }
}
