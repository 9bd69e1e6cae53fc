import Prometheus

/// Renders a ``DaemonSnapshot`` as Prometheus text exposition (`GET /metrics`).
///
/// Each scrape builds a fresh `PrometheusCollectorRegistry` from a fresh snapshot, so a module
/// that was removed from the configuration disappears from the next scrape. Totals kept by the
/// daemon (jobs, restarts, CPU seconds, network bytes) are exposed as counters.
public enum StatusMetrics {
    /// The `Content-Type` of the exposition.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The exposition text for `snapshot`.
    public static func render(_ snapshot: DaemonSnapshot) -> [UInt8] {
        let registry = PrometheusCollectorRegistry()

        registry.makeGauge(descriptor: describe("station_up", "1 while the station daemon answers.")).set(to: 1)
        registry.makeGauge(descriptor: describe("station_process_resident_bytes", "Resident set size of the daemon process."))
            .set(to: Double(snapshot.process.residentBytes))
        registry.makeCounter(descriptor: describe("station_process_cpu_seconds_total", "CPU time (user + system) used by the daemon process."))
            .increment(by: nonNegative(snapshot.process.cpuSeconds))
        registry.makeGauge(descriptor: describe("station_start_time_seconds", "When the daemon started, seconds since the Unix epoch."))
            .set(to: snapshot.startedAt.timeIntervalSince1970)

        for module in snapshot.modules {
            let labels = [("module", module.name)]
            for state in ModuleState.allCases {
                registry.makeGauge(
                    descriptor: describe("station_module_state", "1 for the state the module is in, 0 for the others."),
                    labels: labels + [("state", state.rawValue)]
                ).set(to: state == module.state ? 1 : 0)
            }
            registry.makeCounter(descriptor: describe("station_module_restarts_total", "Times the module was started again after ending."), labels: labels)
                .increment(by: Int64(clamping: max(0, module.restarts)))
            registry.makeCounter(descriptor: describe("station_module_jobs_total", "Jobs the module completed, all runs together."), labels: labels)
                .increment(by: Int64(clamping: module.jobs))
            registry.makeCounter(descriptor: describe("station_module_cpu_seconds_total", "CPU time used by the module, all runs together."), labels: labels)
                .increment(by: nonNegative(module.cpuSeconds))
            registry.makeGauge(descriptor: describe("station_module_memory_bytes", "The module's linear memory now."), labels: labels)
                .set(to: Double(module.memoryBytes))
            registry.makeGauge(descriptor: describe("station_module_memory_limit_bytes", "The module's memory limit."), labels: labels)
                .set(to: Double(module.memoryLimitBytes))
            registry.makeGauge(descriptor: describe("station_module_storage_bytes", "The module's files and key-value store on disk."), labels: labels)
                .set(to: Double(module.storageBytes))
            registry.makeGauge(descriptor: describe("station_module_storage_limit_bytes", "The module's storage limit."), labels: labels)
                .set(to: Double(module.storageLimitBytes))
            registry.makeCounter(descriptor: describe("station_module_network_receive_bytes_total", "Bytes the module received over HTTP, p2p and IPFS."), labels: labels)
                .increment(by: Int64(clamping: module.networkBytesIn))
            registry.makeCounter(descriptor: describe("station_module_network_transmit_bytes_total", "Bytes the module sent over HTTP and p2p."), labels: labels)
                .increment(by: Int64(clamping: module.networkBytesOut))
        }

        if let routing = snapshot.routing {
            let counters: [(name: String, help: String, value: UInt64)] = [
                ("station_routing_lookups_total", "Provider lookups started by the content router.", routing.lookups),
                ("station_routing_lookups_failed_total", "Provider lookups that found no provider or failed.", routing.lookupsFailed),
                ("station_routing_providers_found_total", "Providers found over all lookups.", routing.providersFound),
                ("station_routing_delegated_requests_total", "Requests sent to delegated routing endpoints.", routing.delegatedRequests),
                ("station_routing_dht_requests_total", "Requests sent to DHT peers.", routing.dhtRequests),
                ("station_routing_provider_announcements_total", "ADD_PROVIDER messages delivered for pinned content.", routing.providerAnnouncements),
                ("station_routing_dht_requests_served_total", "DHT requests from other peers answered (server mode).", routing.dhtRequestsServed),
                ("station_routing_dht_requests_refused_total", "DHT requests and streams from other peers refused.", routing.dhtRequestsRefused),
            ]
            for counter in counters {
                registry.makeCounter(descriptor: describe(counter.name, counter.help)).increment(by: Int64(clamping: counter.value))
            }
            let gauges: [(name: String, help: String, value: Int)] = [
                ("station_routing_table_peers", "Peers in the DHT routing table.", routing.routingTableSize),
                ("station_routing_provider_records", "Provider records held for other peers (server mode).", routing.providerRecords),
            ]
            for gauge in gauges {
                registry.makeGauge(descriptor: describe(gauge.name, gauge.help)).set(to: Double(max(0, gauge.value)))
            }
        }

        var buffer: [UInt8] = []
        buffer.reserveCapacity(1024 + snapshot.modules.count * 2048)
        registry.emit(into: &buffer)
        return buffer
    }

    /// A metric name used as is (no namespace or unit parts) with its HELP text.
    private static func describe(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// Counters only go up: negative or non-finite inputs become 0.
    private static func nonNegative(_ value: Double) -> Double {
        value.isFinite && value > 0 ? value : 0
    }
}
