import Foundation
import StationTestSupport
import Testing
@testable import IPFS
import Multiformats

/// Sizes and offsets taken from requests and from blocks are arithmetic on outside input: every
/// extreme value must give an answer or a clear error, never a trap.
@Suite("Trustless gateway: hostile sizes, ranges and paths")
struct GatewayHostileInputTests {
    private func body(_ response: GatewayResponse) async throws -> [UInt8] {
        var out: [UInt8] = []
        try await response.body?({ out += $0 })
        return out
    }

    @Test func entityBytesResolveForEveryExtremeValue() {
        let max = Int64.max
        let min = Int64.min
        #expect(EntityBytes(from: 0, to: max).resolved(fileSize: 100) == 0 ..< 100)
        #expect(EntityBytes(from: 0, to: max - 1).resolved(fileSize: 100) == 0 ..< 100)
        #expect(EntityBytes(from: max, to: max).resolved(fileSize: 100).isEmpty)
        #expect(EntityBytes(from: min, to: nil).resolved(fileSize: 100) == 0 ..< 100)
        #expect(EntityBytes(from: min, to: min).resolved(fileSize: 100).isEmpty)
        #expect(EntityBytes(from: 0, to: min).resolved(fileSize: 100).isEmpty)
        #expect(EntityBytes(from: -1, to: -1).resolved(fileSize: 100) == 99 ..< 100)
        #expect(EntityBytes(from: -100, to: -100).resolved(fileSize: 100) == 0 ..< 1)
        #expect(EntityBytes(from: 0, to: -101).resolved(fileSize: 100).isEmpty)
        // Files claiming sizes past Int64.max (a hostile node) resolve too.
        #expect(EntityBytes(from: 0, to: max).resolved(fileSize: .max) == 0 ..< UInt64(max) + 1)
        #expect(EntityBytes(from: min, to: nil).resolved(fileSize: .max) == UInt64.max - min.magnitude ..< .max)
        #expect(EntityBytes(from: -1, to: nil).resolved(fileSize: .max) == UInt64.max - 1 ..< .max)
        #expect(EntityBytes(from: 0, to: -1).resolved(fileSize: .max) == 0 ..< .max)
        #expect(EntityBytes(from: 0, to: nil).resolved(fileSize: 0).isEmpty)
        #expect(EntityBytes(from: min, to: max).resolved(fileSize: 0).isEmpty)
    }

    @Test(arguments: ["10:5", "-5:-10", "9223372036854775808:*", "0:9223372036854775808", "-9223372036854775809:*", ":", "1:", "1:2:3"])
    func nonsenseEntityBytesAreRefused(text: String) {
        #expect(throws: IPFSError.self) { _ = try EntityBytes(parsing: text) }
    }

    @Test func extremeButValidEntityBytesParse() throws {
        #expect(try EntityBytes(parsing: "0:9223372036854775807") == EntityBytes(from: 0, to: .max))
        #expect(try EntityBytes(parsing: "-9223372036854775808:*") == EntityBytes(from: .min, to: nil))
        #expect(try EntityBytes(parsing: "-9223372036854775808:9223372036854775807") == EntityBytes(from: .min, to: .max))
    }

    @Test func responderAnswersExtremeRangesWithoutTrapping() async throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let bytes = pseudoRandomBytes(count: 5000, seed: 41)
        let root = try await UnixFSImporter(options: UnixFSImportOptions(chunkSize: 1000, cidVersion: 1))
            .importStream(ArrayByteSource(bytes), into: store, module: "m").root
        let responder = GatewayResponder(provider: store)
        let whole = await responder.respond(target: "/ipfs/\(root)?format=car&dag-scope=entity&entity-bytes=0:9223372036854775807")
        #expect(whole.status == 200)
        let request = try GatewayRequest(target: "/ipfs/\(root)?format=car&dag-scope=entity&entity-bytes=0:9223372036854775807")
        let clientDirectory = try TemporaryDirectory()
        let client = try makeStore(clientDirectory)
        let held = try await GatewayResponseVerifier()
            .verifyCAR(ArrayByteSource(try await body(whole)), for: request, into: client, module: "c")
        #expect(held.count == 6)
        let fromStart = await responder.respond(target: "/ipfs/\(root)?format=car&dag-scope=entity&entity-bytes=-9223372036854775808:*")
        #expect(fromStart.status == 200)
        // Entirely outside the file: 400, as the spec asks when the gateway can tell up front.
        for range in ["9223372036854775807:*", "5000:*", "0:-9223372036854775808", "10:5"] {
            let response = await responder.respond(target: "/ipfs/\(root)?format=car&dag-scope=entity&entity-bytes=\(range)")
            #expect(response.status == 400, "\(range): \(response.message ?? "")")
        }
    }

    @Test func fileNodeWithOverflowingBlockSizesFailsCleanly() async throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        let leaf = Block(data: [1, 2, 3], codec: .raw, version: 1)
        let hostile = dagPBBlock(
            links: [DagPBLink(cid: leaf.cid, name: "", totalSize: 3), DagPBLink(cid: leaf.cid, name: "", totalSize: 3)],
            unixfs: UnixFSData(kind: .file, blockSizes: [.max, 5]))
        for block in [leaf, hostile] { try store.put(block, module: "m") }
        let response = await GatewayResponder(provider: store).respond(target: "/ipfs/\(hostile.cid)?format=car&dag-scope=entity")
        #expect(response.status == 200)
        await #expect(throws: IPFSError.invalidUnixFS("block sizes overflow")) { _ = try await body(response) }
        let ranged = await GatewayResponder(provider: store)
            .respond(target: "/ipfs/\(hostile.cid)?format=car&dag-scope=entity&entity-bytes=0:10")
        #expect(ranged.status == 400)
        await #expect(throws: IPFSError.self) { _ = try await readAll(UnixFSExporter(provider: store), hostile.cid) }
    }

    @Test func childOffsetPastUInt64MaxFailsCleanly() async throws {
        let directory = try TemporaryDirectory()
        let store = try makeStore(directory)
        // The second child starts at UInt64.max - 2 and holds 10 inline bytes of its own.
        let first = Block(data: [1], codec: .raw, version: 1)
        let second = dagPBBlock(links: [], unixfs: UnixFSData(kind: .file, data: [UInt8](repeating: 7, count: 10)))
        let hostile = dagPBBlock(
            links: [DagPBLink(cid: first.cid, name: "", totalSize: 1), DagPBLink(cid: second.cid, name: "", totalSize: 20)],
            unixfs: UnixFSData(kind: .file, fileSize: .max, blockSizes: [.max - 2, 2]))
        for block in [first, second, hostile] { try store.put(block, module: "m") }
        let response = await GatewayResponder(provider: store).respond(target: "/ipfs/\(hostile.cid)?format=car&dag-scope=entity")
        #expect(response.status == 200)
        await #expect(throws: IPFSError.invalidUnixFS("file offsets overflow")) { _ = try await body(response) }
    }

    @Test func clientMistakesInThePathAre4xxNot502() async throws {
        let directory = try TemporaryDirectory()
        let source = try TemporaryDirectory()
        try source.write(Array("hello".utf8), to: "site/a.txt")
        var deep = "site"
        for _ in 0 ..< 3 { deep += "/d" }
        try source.write([1], to: deep + "/x")
        let store = try makeStore(directory)
        let root = try await UnixFSImporter(options: UnixFSImportOptions(cidVersion: 1))
            .importPath(at: source.url.appendingPathComponent("site"), into: store, module: "m").root
        let responder = GatewayResponder(provider: store)
        // A path through a file.
        #expect(await responder.respond(target: "/ipfs/\(root)/a.txt/more?format=car").status == 400)
        #expect(await responder.respond(target: "/ipfs/\(root)/a.txt/more?format=raw").status == 400)
        // Deeper than the 64-level limit.
        let tooDeep = (0 ..< 65).map { _ in "d" }.joined(separator: "/")
        #expect(await responder.respond(target: "/ipfs/\(root)/\(tooDeep)?format=car").status == 400)
        // Names nothing.
        #expect(await responder.respond(target: "/ipfs/\(root)/d/d/none?format=car").status == 404)
        #expect(await responder.respond(target: "/ipfs/\(root)/d/d/d/x?format=car").status == 200)
    }

    @Test func statusMappingKeeps502ForUpstreamFailuresOnly() {
        #expect(GatewayResponder.status(for: .wrongNodeKind(expected: "directory", actual: "file")) == 400)
        #expect(GatewayResponder.status(for: .tooDeep(limit: 64)) == 400)
        #expect(GatewayResponder.status(for: .invalidOption("x")) == 400)
        #expect(GatewayResponder.status(for: .pathNotFound("x")) == 404)
        #expect(GatewayResponder.status(for: .blockNotFound(cid: "x")) == 404)
        #expect(GatewayResponder.status(for: .io(operation: "read", path: "p", message: "m")) == 500)
        #expect(GatewayResponder.status(for: .hashMismatch(cid: "x")) == 502)
        struct Unreachable: Error {}
        #expect(GatewayResponder.failure(Unreachable()).status == 502)
    }
}
