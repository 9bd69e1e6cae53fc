import Foundation
import IPFS
import Libp2p
import Multiformats
import SandboxEngine

/// Fetches `CID[/path]` from Bitswap peers for `station ipfs get --peer`: the directory blocks
/// along the path one by one, then the whole DAG under the path's end, which ends up pinned.
enum IPFSBitswapFetch {
    /// Fetches into `store` for the CLI module; every block is verified by Bitswap before it is stored.
    /// - Parameter idleTimeout: a fetch fails when no wanted block arrives for this long.
    static func fetch(_ request: GatewayRequest, from peers: [Multiaddr], into store: BlockStore, idleTimeout: Duration) async throws {
        try await P2PSupport.withHost(identity: PrivateKey()) { host in
            let bitswap = Bitswap(host: host, store: store, configuration: BitswapConfiguration(fetchTimeout: idleTimeout.inSeconds))
            bitswap.start()
            var held: [CID] = []
            defer { for cid in held { store.release(cid, module: IPFSSupport.module) } }
            do {
                var current = request.root
                for segment in request.path {
                    if !store.has(current) {
                        held.append(try await bitswap.fetchBlock(current, from: peers, module: IPFSSupport.module).cid)
                    }
                    let entries = try await UnixFSExporter(provider: store).list(current)
                    guard let entry = entries.first(where: { $0.name == segment }) else { throw IPFSError.pathNotFound(segment) }
                    current = entry.cid
                }
                _ = try await bitswap.fetchDAG(root: current, from: peers, module: IPFSSupport.module)
            } catch {
                await bitswap.stop()
                throw error
            }
            await bitswap.stop()
        }
    }
}
