import Foundation
import Libp2p
import Multiformats
import Testing

/// The memory of a DHT routing table holding 1,000 peers, each with two addresses (the issue's
/// goal: under 5 MiB). Opt-in (`benchmarks/bench-routing` sets STATION_ROUTING_BENCH=1). Swift's
/// Glibc module does not offer mallinfo, so the figure is the growth of the process's resident
/// memory (VmRSS) while `tables` such tables are built and kept, divided by `tables`: everything
/// the table holds (entries, hashed keys, peer IDs, addresses, buckets) plus the allocator's own
/// overhead and fragmentation. Checked for the right answer (1,000 peers in each table); the goal
/// is reported, not asserted.
@Suite("Routing benchmarks", .enabled(if: ProcessInfo.processInfo.environment["STATION_ROUTING_BENCH"] != nil))
struct RoutingBenchmarks {
    /// Resident bytes of this process now (VmRSS in /proc/self/status), or nil off Linux.
    private func residentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return nil }
        return kilobytes * 1024
    }

    @Test func routingTableMemory() throws {
        let peers = 1000
        let tables = 10
        // Warm up the key and multiaddr code paths (their one-time allocations are not the table's).
        _ = KadRoutingTable(local: PrivateKey().peerID, k: 1).add(PrivateKey().peerID, addresses: [try Multiaddr("/ip4/10.0.0.1/tcp/1")])
        guard let before = residentBytes() else {
            print("BENCH routing table: no /proc/self/status on this system")
            return
        }
        var kept: [KadRoutingTable] = []
        for _ in 0 ..< tables {
            // k = peers so that every random peer fits (with k = 20 most random peers would be
            // refused by full buckets); an entry costs the same whatever bucket it sits in.
            let table = KadRoutingTable(local: PrivateKey().peerID, k: peers)
            for index in 0 ..< peers {
                let addresses = [
                    try Multiaddr("/ip4/10.\(index >> 8 & 255).\(index & 255).1/tcp/4001"),
                    try Multiaddr("/ip6/2001:db8::\(String(index, radix: 16))/tcp/4001"),
                ]
                #expect(table.add(PrivateKey().peerID, addresses: addresses))
            }
            #expect(table.count == peers)
            kept.append(table)
        }
        let after = try #require(residentBytes())
        let perTable = (after - before) / tables
        print("BENCH routing table: \(peers) peers (2 addresses each): \(perTable) bytes resident per table " +
              "(\(String(format: "%.2f", Double(perTable) / 1_048_576)) MiB, \(perTable / peers) bytes per peer; " +
              "RSS growth over \(tables) tables); goal < 5 MiB")
        withExtendedLifetime(kept) {}
    }
}
