import Foundation
import IPFS
import IPFSGateway
import Multiformats
import StationTestSupport

/// A throw-away block store in a fresh temporary folder.
func makeTemporaryStore() throws -> BlockStore {
    try BlockStore(.init(directory: temporaryFolder("ipfs-gateway-tests"), durable: false))
}

/// Imports `bytes` as one UnixFS file with small chunks (so the DAG has many blocks).
func importFile(_ bytes: [UInt8], into store: BlockStore, chunkSize: Int = 1024, cidVersion: Int = 0) async throws -> CID {
    let importer = try UnixFSImporter(options: UnixFSImportOptions(chunkSize: chunkSize, cidVersion: cidVersion, maxLinksPerNode: 8))
    return try await importer.importStream(ArrayByteSource(bytes), into: store, module: "test").root
}

/// Reads a whole file (or a byte range) from `store`.
func readFile(_ cid: CID, from store: BlockStore, range: Range<UInt64>? = nil) async throws -> [UInt8] {
    var out: [UInt8] = []
    try await UnixFSExporter(provider: store).read(cid, range: range) { out.append(contentsOf: $0) }
    return out
}

/// The CAR a correct gateway sends for `request`, built with the shared responder.
func carBytes(for request: GatewayRequest, from store: BlockStore) async throws -> [UInt8] {
    let response = try await GatewayResponder(provider: store).respond(to: request)
    let collected = Collected()
    try await response.body?({ collected.bytes.append(contentsOf: $0) })
    return collected.bytes
}

/// A handler that answers every request with fixed CAR bytes (a misbehaving gateway).
func fixedCARHandler(_ bytes: [UInt8]) -> GatewayHTTPHandler {
    { _ in
        GatewayHTTPReply(status: 200, headers: [("Content-Type", "application/vnd.ipld.car; version=1")], fixedBody: bytes)
    }
}

/// Collects bytes from a non-async sink.
final class Collected: @unchecked Sendable {
    var bytes: [UInt8] = []
}
