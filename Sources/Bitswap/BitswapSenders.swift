import IPFS
import Libp2p
import Multiformats

/// One outbound Bitswap stream per peer, opened on demand and reused for every message we send
/// that peer (wants from the client side, answers from the server side). go-libp2p peers only
/// read streams the other side opens, so answers always travel on a stream we open ourselves.
actor BitswapSenders {
    /// The Bitswap protocol ids we speak, preferred first.
    static let protocols = ["/ipfs/bitswap/1.2.0", "/ipfs/bitswap/1.1.0", "/ipfs/bitswap/1.0.0"]

    private let host: Libp2pHost
    private var streams: [PeerID: Task<Libp2pStream, Error>] = [:]

    init(host: Libp2pHost) {
        self.host = host
    }

    /// Sends `message` to `peer`, opening (or re-opening once, after a failure) the stream.
    func send(_ message: BitswapMessage, to peer: PeerID) async throws {
        for attempt in 0 ..< 2 {
            let stream = try await stream(to: peer)
            let legacy = stream.protocolID == "/ipfs/bitswap/1.0.0"
            do {
                try await stream.write(BitswapFraming.frame(message, legacyBlocks: legacy))
                return
            } catch {
                forget(peer, stream)
                stream.reset()
                if attempt == 1 { throw error }
            }
        }
    }

    /// Closes every stream.
    func closeAll() async {
        let all = streams.values
        streams.removeAll()
        for task in all {
            if let stream = try? await task.value { await stream.close() }
        }
    }

    private func stream(to peer: PeerID) async throws -> Libp2pStream {
        if let task = streams[peer] {
            do {
                return try await task.value
            } catch {
                streams[peer] = nil
                throw error
            }
        }
        let host = self.host
        let task = Task { try await host.newStream(to: peer, protocols: Self.protocols) }
        streams[peer] = task
        do {
            return try await task.value
        } catch {
            streams[peer] = nil
            throw error
        }
    }

    private func forget(_ peer: PeerID, _ stream: Libp2pStream) {
        streams[peer] = nil
    }
}
