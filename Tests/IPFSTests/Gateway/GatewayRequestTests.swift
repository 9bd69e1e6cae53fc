import Testing
@testable import IPFS
import Multiformats

@Suite("GatewayRequest")
struct GatewayRequestTests {
    private let cid = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"

    @Test func parsesPathFormatScopeAndEntityBytes() throws {
        let request = try GatewayRequest(target: "/ipfs/\(cid)/a%20b/c.txt?format=car&dag-scope=entity&entity-bytes=10:-1")
        #expect(request.root == (try CID(cid)))
        #expect(request.path == ["a b", "c.txt"])
        #expect(request.format == .car && request.scope == .entity)
        #expect(request.entityBytes == EntityBytes(from: 10, to: -1))
        #expect(try GatewayRequest(target: request.target) == request)
    }

    @Test func acceptHeaderChoosesTheFormatAndScopeDefaultsToAll() throws {
        let request = try GatewayRequest(target: "/ipfs/\(cid)", accept: "application/vnd.ipld.raw")
        #expect(request.format == .raw && request.scope == .all && request.path.isEmpty)
    }

    @Test(arguments: [
        "/ipns/x", "/ipfs/notacid", "/ipfs/CID/../etc?format=car", "/ipfs/CID?format=html",
        "/ipfs/CID?format=car&dag-scope=some", "/ipfs/CID?format=car&entity-bytes=0:9", "/ipfs/CID",
        "/ipfs/CID?format=car&dag-scope=entity&entity-bytes=a:b",
    ])
    func rejectsMalformedRequests(target: String) {
        #expect(throws: IPFSError.self) { _ = try GatewayRequest(target: target.replacingOccurrences(of: "CID", with: cid)) }
    }

    @Test func entityBytesResolveAgainstTheFileSize() throws {
        #expect(EntityBytes(from: 0, to: 9).resolved(fileSize: 100) == 0 ..< 10)
        #expect(EntityBytes(from: -10, to: nil).resolved(fileSize: 100) == 90 ..< 100)
        #expect(EntityBytes(from: 50, to: -1).resolved(fileSize: 100) == 50 ..< 100)
        #expect(EntityBytes(from: 90, to: 1000).resolved(fileSize: 100) == 90 ..< 100)
        #expect(EntityBytes(from: 200, to: nil).resolved(fileSize: 100).isEmpty)
        #expect(try EntityBytes(parsing: "-5:*") == EntityBytes(from: -5, to: nil))
    }
}
