import Foundation
import StationTestSupport
import Testing
@testable import IPFS
import Multiformats

/// Serves a store through `GatewayResponder` and checks the bodies with `GatewayResponseVerifier`,
/// both ends in process (no sockets).
@Suite("Trustless gateway responder and verifier")
struct GatewayResponderTests {
    private struct Fixture {
        let directory: TemporaryDirectory
        let server: BlockStore
        let root: CID
        let bytes: [UInt8]
    }

    /// A folder with a 3-chunk-per-node file (chunks of 1000 bytes, 174 links) and a small file.
    private func fixture() async throws -> Fixture {
        let directory = try TemporaryDirectory()
        let bytes = pseudoRandomBytes(count: 200_000, seed: 31)
        try directory.write(bytes, to: "site/data/big.bin")
        try directory.write(Array("hi".utf8), to: "site/hello.txt")
        let server = try makeStore(directory)
        let result = try await UnixFSImporter(options: UnixFSImportOptions(chunkSize: 1000, cidVersion: 1))
            .importPath(at: directory.url.appendingPathComponent("site"), into: server, module: "server")
        return Fixture(directory: directory, server: server, root: result.root, bytes: bytes)
    }

    private func body(_ response: GatewayResponse) async throws -> [UInt8] {
        var out: [UInt8] = []
        try await response.body?({ out += $0 })
        return out
    }

    private func fetch(_ fixture: Fixture, _ target: String) async throws -> (GatewayRequest, [UInt8]) {
        let response = await GatewayResponder(provider: fixture.server).respond(target: target)
        #expect(response.status == 200, "\(response.message ?? "")")
        return (try GatewayRequest(target: target), try await body(response))
    }

    @Test func wholeDAGThroughAPathVerifiesAndReadsBack() async throws {
        let fixture = try await fixture()
        let (request, car) = try await fetch(fixture, "/ipfs/\(fixture.root)/data/big.bin?format=car")
        let clientDirectory = try TemporaryDirectory()
        defer { withExtendedLifetime(clientDirectory) {} }
        let client = try makeStore(clientDirectory)
        let held = try await GatewayResponseVerifier().verifyCAR(ArrayByteSource(car), for: request, into: client, module: "c")
        // Root dir, data dir, file root, 2 interior nodes, 200 leaves.
        let expected = 205
        #expect(held.count == expected)
        let file = try await UnixFSExporter(provider: client).resolve(fixture.root, path: "data/big.bin")
        #expect(try await readAll(UnixFSExporter(provider: client), file) == fixture.bytes)
    }

    @Test func entityBytesCarryOnlyTheBlocksOfThatRange() async throws {
        let fixture = try await fixture()
        let target = "/ipfs/\(fixture.root)/data/big.bin?format=car&dag-scope=entity&entity-bytes=1500:2499"
        let (request, car) = try await fetch(fixture, target)
        let clientDirectory = try TemporaryDirectory()
        defer { withExtendedLifetime(clientDirectory) {} }
        let client = try makeStore(clientDirectory)
        let held = try await GatewayResponseVerifier().verifyCAR(ArrayByteSource(car), for: request, into: client, module: "c")
        // root dir, data dir, file root, first interior node, leaves 1 and 2.
        #expect(held.count == 6)
        let file = try await UnixFSExporter(provider: client).resolve(fixture.root, path: "data/big.bin")
        #expect(try await readAll(UnixFSExporter(provider: client), file, range: 1500 ..< 2500) == Array(fixture.bytes[1500 ..< 2500]))
    }

    @Test func blockScopeAndRawFormatCarryOneBlock() async throws {
        let fixture = try await fixture()
        let (request, car) = try await fetch(fixture, "/ipfs/\(fixture.root)/hello.txt?format=car&dag-scope=block")
        let clientDirectory = try TemporaryDirectory()
        defer { withExtendedLifetime(clientDirectory) {} }
        let client = try makeStore(clientDirectory)
        #expect(try await GatewayResponseVerifier().verifyCAR(ArrayByteSource(car), for: request, into: client, module: "c").count == 2)
        let (rawRequest, raw) = try await fetch(fixture, "/ipfs/\(fixture.root)?format=raw")
        #expect(try GatewayResponseVerifier().verifyRaw(raw, for: rawRequest).cid == fixture.root)
    }

    @Test func missingPathAndBadRequestsGetErrorStatuses() async throws {
        let fixture = try await fixture()
        let responder = GatewayResponder(provider: fixture.server)
        #expect(await responder.respond(target: "/ipfs/\(fixture.root)/nope?format=car").status == 404)
        #expect(await responder.respond(target: "/ipfs/\(fixture.root)/../x?format=car").status == 400)
        let unknown = Block(data: [1], codec: .raw, version: 1).cid
        #expect(await responder.respond(target: "/ipfs/\(unknown)?format=car").status == 404)
    }

    @Test func responseWithAMissingBlockIsIncomplete() async throws {
        let fixture = try await fixture()
        let (request, car) = try await fetch(fixture, "/ipfs/\(fixture.root)/hello.txt?format=car")
        // Drop the last section (the file) by re-writing the CAR without it.
        let reader = try await CARReader(source: ArrayByteSource(car))
        var blocks: [Block] = []
        while let block = try await reader.next() { blocks.append(block) }
        let short = try await carBytes(roots: [fixture.root], blocks: Array(blocks.dropLast()))
        let clientDirectory = try TemporaryDirectory()
        defer { withExtendedLifetime(clientDirectory) {} }
        let client = try makeStore(clientDirectory)
        await #expect(throws: IPFSError.incompleteCAR(missing: try #require(blocks.last).cid.description)) {
            _ = try await GatewayResponseVerifier().verifyCAR(ArrayByteSource(short), for: request, into: client, module: "c")
        }
        #expect(client.usage(module: "c") == 0)
    }

    @Test func responseWithAnExtraBlockIsRefused() async throws {
        let fixture = try await fixture()
        let (request, car) = try await fetch(fixture, "/ipfs/\(fixture.root)/hello.txt?format=car")
        let extra = Block(data: Array("unrequested".utf8), codec: .raw, version: 1)
        var padded = car
        padded += Varint.encode(UInt64(extra.cid.bytes.count + extra.data.count)) + extra.cid.bytes + extra.data
        let clientDirectory = try TemporaryDirectory()
        defer { withExtendedLifetime(clientDirectory) {} }
        let client = try makeStore(clientDirectory)
        await #expect(throws: IPFSError.unexpectedBlockInCAR(cid: extra.cid.description)) {
            _ = try await GatewayResponseVerifier().verifyCAR(ArrayByteSource(padded), for: request, into: client, module: "c")
        }
    }

    @Test func carForAnotherRootIsRefused() async throws {
        let fixture = try await fixture()
        let (_, car) = try await fetch(fixture, "/ipfs/\(fixture.root)?format=car&dag-scope=block")
        let other = try GatewayRequest(target: "/ipfs/\(Block(data: [2], codec: .raw, version: 1).cid)?format=car")
        let clientDirectory = try TemporaryDirectory()
        defer { withExtendedLifetime(clientDirectory) {} }
        let client = try makeStore(clientDirectory)
        await #expect(throws: IPFSError.self) {
            _ = try await GatewayResponseVerifier().verifyCAR(ArrayByteSource(car), for: other, into: client, module: "c")
        }
    }
}
