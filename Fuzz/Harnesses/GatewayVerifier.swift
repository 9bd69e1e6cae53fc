import Foundation
import IPFS
import Multiformats

extension Harness {
    /// The client side of the trustless gateway: `GatewayResponseVerifier` fed a request target
    /// (the first line, e.g. `/ipfs/CID?format=car&dag-scope=entity`, parsed by `GatewayRequest`)
    /// and the rest of the input as the response body (a CAR, or a raw block for `format=raw`),
    /// storing into a block store reused across inputs. Invariants:
    /// - every block accepted hashes to its CID (SHA-256 checked here independently), is in the
    ///   store, and the request's root is among them (unless it is an identity CID);
    /// - a raw answer is accepted only as the requested CID;
    /// - a refused response leaves nothing behind (nothing charged, the store empty after a
    ///   collection), and so does an accepted one once its blocks are released.
    public static func gatewayVerifier(_ bytes: [UInt8]) async throws {
        let (head, tail) = splitOnce(bytes, at: 0x0A)
        guard let request = try? GatewayRequest(target: String(decoding: head, as: UTF8.self)) else { return }
        let body = Array(tail ?? [])
        // One input at a time: the store is shared (the tests may run harnesses in parallel).
        await GatewayVerifierFixture.gate.enter()
        defer { GatewayVerifierFixture.gate.leave() }
        let fixture = GatewayVerifierFixture.shared
        let store = fixture.store
        let module = GatewayVerifierFixture.module
        let verifier = GatewayResponseVerifier(limits: UnixFSExportLimits(maxLinksPerFileNode: 64, maxDepth: 16, maxDirectoryEntries: 256, maxBlockLoads: 2000))

        if request.format == .raw {
            if let block = try? verifier.verifyRaw(body, for: request) {
                try fuzzCheck(block.cid == request.root, "a raw answer was accepted as \(block.cid), not \(request.root)")
                try checkHash(block)
            }
            return
        }
        defer { _ = try? store.collectGarbage() }
        let held: [CID]
        do {
            held = try await verifier.verifyCAR(ArrayByteSource(body), for: request, into: store, module: module)
        } catch {
            try fuzzCheck(store.usage(module: module) == 0, "a refused CAR (\(error)) leaves \(store.usage(module: module)) bytes charged")
            _ = try? store.collectGarbage()
            try fuzzCheck(store.storedSize == 0, "a refused CAR (\(error)) leaves \(store.storedSize) bytes in the store")
            return
        }
        for cid in held {
            let stored = try? store.get(cid)
            try fuzzCheck(stored != nil, "accepted block \(cid) is not in the store")
            if let stored { try checkHash(stored) }
        }
        if request.root.multihash.function != .identity {
            try fuzzCheck(held.contains { $0.multihash.bytes == request.root.multihash.bytes }, "the CAR was accepted without the requested root \(request.root)")
        }
        for cid in held { store.release(cid, module: module) }
        try fuzzCheck(store.usage(module: module) == 0, "\(store.usage(module: module)) bytes stay charged after every accepted block is released")
        _ = try? store.collectGarbage()
        try fuzzCheck(store.storedSize == 0, "\(store.storedSize) bytes stay in the store after its blocks are released and collected")
    }

    /// A SHA-256 block's bytes hash to its CID's digest (checked apart from `Block`'s own check).
    private static func checkHash(_ block: Block) throws {
        if block.cid.multihash.function == .sha2_256 {
            try fuzzCheck(Multihash.sha256(block.data) == block.cid.multihash, "block \(block.cid) does not hash to its CID")
        }
    }
}

/// The block store the GatewayVerifier harness reuses (emptied after every input).
final class GatewayVerifierFixture: Sendable {
    static let module = "fuzz-gateway"
    static let shared = GatewayVerifierFixture()
    static let gate = SerialGate()
    let store: BlockStore

    private init() {
        let folder = fuzzTemporaryFolder("gateway")
        do {
            store = try BlockStore(.init(directory: folder, capacity: 1 << 20, maxBlockSize: 1 << 16, durable: false))
        } catch {
            fatalError("the GatewayVerifier harness cannot create its block store in \(folder.path): \(error)")
        }
    }
}
